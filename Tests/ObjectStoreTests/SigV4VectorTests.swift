import TestSupport
import XCTest
@testable import ObjectStore

/// Checks the signer against the published SigV4 test suites (botocore's
/// copy of the AWS suite and aws-c-auth's), read in place from
/// `<shared>/testdata/sigv4` (`TestPaths.sharedDirectory`).
///
/// S3 never normalises paths, so for the cases whose path has `.`/`..`
/// segments or repeated slashes (written for services that do) the test
/// holds the signer to S3's rule instead: the canonical request equals the
/// vector's except that the path line is the path as sent.
final class SigV4VectorTests: XCTestCase {
    static let vectorRoot = TestPaths.sharedDirectory + "/testdata/sigv4"
    static let defaultCredentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE",
                                                   secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    func testBotocoreSuite() throws {
        let root = Self.vectorRoot + "/botocore-aws4_testsuite"
        let cases = try caseDirectories(under: root, containing: { $0.hasSuffix(".req") })
        XCTAssertGreaterThanOrEqual(cases.count, 30, "expected the botocore suite in \(root)")
        for directory in cases {
            let name = (directory as NSString).lastPathComponent
            let base = directory + "/" + name
            let request = try RawHTTPRequest(text: try read(base + ".req"))
            // A security token that the signed request signs but the request
            // lacks came from the credentials: the signer adds it. (In
            // post-sts-header-after it was added after signing, unsigned.)
            var credentials = Self.defaultCredentials
            let signedRequest = try RawHTTPRequest(text: try read(base + ".sreq"))
            let signsToken = signedRequest.headers.contains {
                $0.name.lowercased() == "authorization" && $0.value.contains("x-amz-security-token")
            }
            if signsToken && !request.headers.contains(where: { $0.name.lowercased() == "x-amz-security-token" }) {
                credentials.sessionToken = signedRequest.headers
                    .first { $0.name.lowercased() == "x-amz-security-token" }?.value
            }
            let result = SigV4Signer.sign(request.sigV4Request, credentials: credentials,
                                          region: "us-east-1", service: "service",
                                          amzDate: "20150830T123600Z", addContentSHA256Header: false)
            try check(result, name: name, request: request, vectorNormalizesPath: request.pathNeedsNormalization,
                      canonicalRequest: try read(base + ".creq"), stringToSign: try read(base + ".sts"),
                      authorization: try read(base + ".authz"))
        }
    }

    func testAwsCAuthSuite() throws {
        let root = Self.vectorRoot + "/aws-c-auth/v4"
        let cases = try caseDirectories(under: root, containing: { $0 == "request.txt" })
        XCTAssertGreaterThanOrEqual(cases.count, 38, "expected the aws-c-auth suite in \(root)")
        for directory in cases {
            let name = (directory as NSString).lastPathComponent
            let context = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory + "/context.json"))) as! [String: Any]
            let credentialsJSON = context["credentials"] as! [String: String]
            var credentials = AWSCredentials(accessKeyId: credentialsJSON["access_key_id"]!,
                                             secretAccessKey: credentialsJSON["secret_access_key"]!,
                                             sessionToken: credentialsJSON["token"])
            // "omit_session_token": the token is added after signing (STS style).
            if context["omit_session_token"] as? Bool == true { credentials.sessionToken = nil }
            let request = try RawHTTPRequest(text: try read(directory + "/request.txt"))
            let result = SigV4Signer.sign(request.sigV4Request, credentials: credentials,
                                          region: context["region"] as! String,
                                          service: context["service"] as! String,
                                          amzDate: "20150830T123600Z",
                                          addContentSHA256Header: context["sign_body"] as? Bool == true)
            let signedRequest = try read(directory + "/header-signed-request.txt")
            let authorizationLine = try XCTUnwrap(signedRequest.split(separator: "\n")
                .first { $0.hasPrefix("Authorization:") }, name)
            let vectorNormalizesPath = request.pathNeedsNormalization && context["normalize"] as? Bool != false
            try check(result, name: name, request: request, vectorNormalizesPath: vectorNormalizesPath,
                      canonicalRequest: try read(directory + "/header-canonical-request.txt"),
                      stringToSign: try read(directory + "/header-string-to-sign.txt"),
                      authorization: String(authorizationLine.dropFirst("Authorization:".count)))
            if !vectorNormalizesPath {
                XCTAssertEqual(result.signature, try read(directory + "/header-signature.txt")
                    .trimmingCharacters(in: .whitespacesAndNewlines), name)
            }

            // The query variant (presigned URL) of the same case.
            let presigned = SigV4Signer.presign(request.sigV4Request, credentials: credentials,
                                                region: context["region"] as! String,
                                                service: context["service"] as! String,
                                                amzDate: "20150830T123600Z",
                                                expiresSeconds: context["expiration_in_seconds"] as! Int)
            let expectedQueryCanonical = try read(directory + "/query-canonical-request.txt")
            if vectorNormalizesPath {
                var lines = expectedQueryCanonical.components(separatedBy: "\n")
                lines[1] = request.sigV4Request.encodedPath
                XCTAssertEqual(presigned.canonicalRequest, lines.joined(separator: "\n"), "\(name) (query)")
            } else {
                XCTAssertEqual(presigned.canonicalRequest, expectedQueryCanonical, "\(name) (query)")
                XCTAssertEqual(presigned.stringToSign, try read(directory + "/query-string-to-sign.txt")
                    .trimmingCharacters(in: .newlines), "\(name) (query)")
                XCTAssertEqual(presigned.signature, try read(directory + "/query-signature.txt")
                    .trimmingCharacters(in: .whitespacesAndNewlines), "\(name) (query)")
                XCTAssertEqual(presigned.queryToAdd.last?.value, presigned.signature)
            }
        }
    }

    private func check(_ result: SigV4Signature, name: String, request: RawHTTPRequest, vectorNormalizesPath: Bool,
                       canonicalRequest: String, stringToSign: String, authorization: String) throws {
        let expectedCanonical = canonicalRequest.replacingOccurrences(of: "\r\n", with: "\n")
        if vectorNormalizesPath {
            var lines = expectedCanonical.components(separatedBy: "\n")
            XCTAssertNotEqual(lines[1], request.sigV4Request.encodedPath, "\(name): vector normalises the path")
            lines[1] = request.sigV4Request.encodedPath
            XCTAssertEqual(result.canonicalRequest, lines.joined(separator: "\n"), name)
        } else {
            XCTAssertEqual(result.canonicalRequest, expectedCanonical, name)
            XCTAssertEqual(result.stringToSign, stringToSign.trimmingCharacters(in: .newlines), name)
            XCTAssertEqual(result.authorization, authorization.trimmingCharacters(in: .whitespacesAndNewlines), name)
        }
    }

    private func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Directories (recursively) that hold a file matching `containing`.
    private func caseDirectories(under root: String, containing: (String) -> Bool) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            XCTFail("SigV4 vectors not found at \(root)")
            return []
        }
        var found = Set<String>()
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if containing(name) { found.insert(root + "/" + (relative as NSString).deletingLastPathComponent) }
        }
        return found.sorted()
    }
}

/// A request in the test suites' text form: request line, headers (with
/// folded continuation lines), blank line, body.
struct RawHTTPRequest {
    var method: String
    var rawPath: String
    var rawQuery: String?
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    init(text: String) throws {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        let headEnd = normalized.range(of: "\n\n")
        let head = headEnd.map { String(normalized[..<$0.lowerBound]) } ?? normalized
        body = headEnd.map { Array(normalized[$0.upperBound...].utf8) } ?? []
        var lines = head.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let firstSpace = requestLine.firstIndex(of: " ")!
        let protocolStart = requestLine.range(of: " HTTP/", options: .backwards)!.lowerBound
        method = String(requestLine[..<firstSpace])
        let target = String(requestLine[requestLine.index(after: firstSpace)..<protocolStart])
        if let question = target.firstIndex(of: "?") {
            rawPath = String(target[..<question])
            rawQuery = String(target[target.index(after: question)...])
        } else {
            rawPath = target
        }
        headers = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                let colon = line.firstIndex(of: ":")!
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
    }

    var sigV4Request: SigV4Request {
        var query: [(name: String, value: String)] = []
        if let rawQuery, !rawQuery.isEmpty {
            for pair in rawQuery.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query.append((URIEncoding.decode(String(parts[0])),
                              URIEncoding.decode(parts.count > 1 ? String(parts[1]) : "")))
            }
        }
        return SigV4Request(method: method, encodedPath: URIEncoding.encodePath(URIEncoding.decode(rawPath)),
                            query: query, headers: headers,
                            payloadSHA256: Crypto.hex(Crypto.sha256(body)))
    }

    /// True when a normalising signer would rewrite the path (`.`/`..`
    /// segments, repeated or relative slashes); S3 signs it as it is.
    var pathNeedsNormalization: Bool {
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        return !rawPath.hasPrefix("/") || rawPath.contains("//")
            || segments.contains { $0 == "." || $0 == ".." }
    }
}
