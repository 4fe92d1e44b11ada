import TestSupport
import XCTest
@testable import ObjectStore

/// Signs a few hundred randomised S3 requests (seeded, so every run checks
/// the same ones) both with `S3Endpoint.signedRequest` and with botocore's
/// S3 signer (tests/interop/s3_sigv4_botocore.py in the project venv), and
/// requires identical URLs, canonical requests, strings to sign and
/// Authorization headers. The requests stress what SigV4 implementations get
/// wrong: Hive-style `dt=` keys, reserved and non-ASCII characters in keys and
/// query values, repeated and oddly spaced headers, session tokens, both
/// addressing styles.
final class SigV4BotocoreDifferentialTests: XCTestCase {
    struct Case {
        var method: String
        var endpoint: S3Endpoint
        var bucket: String
        var key: String?
        var params: [(name: String, value: String)]
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var credentials: AWSCredentials
        var region: String
        var amzDate: String
        /// Presigned-URL cases: sign into the query, valid this long.
        var presignExpires: Int?
    }

    func testSignaturesMatchBotocoreOnRandomisedRequests() throws {
        var random = SplitMix(seed: 0x5ec57ea3)
        var cases = (0..<400).map { _ in Self.randomCase(&random) }
        // Presigned URLs: an object key, the host header only, no body.
        for _ in 0..<100 {
            var presign = Self.randomCase(&random)
            presign.method = random.below(2) == 0 ? "GET" : "PUT"
            presign.key = Self.randomKey(&random)
            presign.params = []
            presign.headers = []
            presign.body = []
            presign.presignExpires = [1, 900, 3600, 604_800][random.below(4)]
            cases.append(presign)
        }
        let reference = try runBotocore(cases)
        XCTAssertEqual(reference.count, cases.count)
        for (index, (testCase, expected)) in zip(cases, reference).enumerated() {
            let signed = testCase.endpoint.signedRequest(
                method: testCase.method, bucket: testCase.bucket, key: testCase.key, query: testCase.params,
                headers: testCase.headers, payloadSHA256: Crypto.hex(Crypto.sha256(testCase.body)),
                credentials: testCase.credentials, region: testCase.region, amzDate: testCase.amzDate)
            let label = "case \(index): \(testCase.method) key=\(testCase.key ?? "nil")"
            if let expires = testCase.presignExpires {
                let request = SigV4Request(
                    method: testCase.method,
                    encodedPath: testCase.endpoint.encodedPath(bucket: testCase.bucket, key: testCase.key),
                    headers: [("host", testCase.endpoint.hostHeader(bucket: testCase.bucket))],
                    payloadSHA256: "UNSIGNED-PAYLOAD")
                let presigned = SigV4Signer.presign(request, credentials: testCase.credentials, region: testCase.region,
                                                    service: "s3", amzDate: testCase.amzDate, expiresSeconds: expires)
                XCTAssertEqual(presigned.canonicalRequest, expected["canonical_request"], label)
                XCTAssertEqual(presigned.stringToSign, expected["string_to_sign"], label)
                XCTAssertEqual(presigned.signature, expected["authorization"], label)
                let url = testCase.endpoint.presignedURL(method: testCase.method, bucket: testCase.bucket,
                                                         key: testCase.key!, credentials: testCase.credentials,
                                                         region: testCase.region, amzDate: testCase.amzDate,
                                                         expiresSeconds: expires)
                XCTAssertTrue(url.hasPrefix(expected["url"]! + "?") && url.contains("X-Amz-Signature=\(presigned.signature)"), label)
                continue
            }
            XCTAssertEqual(signed.signature.canonicalRequest, expected["canonical_request"], label)
            XCTAssertEqual(signed.signature.stringToSign, expected["string_to_sign"], label)
            XCTAssertEqual(signed.signature.authorization, expected["authorization"], label)
            // botocore sends the query separately; the path part must agree.
            XCTAssertEqual(String(signed.url.split(separator: "?", maxSplits: 1)[0]), expected["url"], label)
        }
    }

    // MARK: generation

    static let keyAlphabet: [String] = [
        "a", "b", "Z", "0", "9", "-", "_", ".", "~", "=", "/", "/", " ", "+", "%", "&", "?", "#", "!", "*",
        "'", "(", ")", ",", ";", ":", "@", "$", "[", "]", "é", "日本", "🙂", "\\", "^", "`", "{", "|", "\"",
    ]
    static let valueAlphabet: [String] = keyAlphabet + ["==", "//", "a=b", "x&y"]

    static func randomString(_ random: inout SplitMix, from alphabet: [String], length: ClosedRange<Int>) -> String {
        (0..<Int(random.next(in: length))).map { _ in alphabet[random.below(alphabet.count)] }.joined()
    }

    static func randomKey(_ random: inout SplitMix) -> String {
        switch random.below(4) {
        case 0:  // archive layout
            let day = 1 + random.below(28), hour = random.below(24)
            return "logs/dt=2026-11-\(day < 10 ? "0" : "")\(day)/hour=\(hour < 10 ? "0" : "")\(hour)/"
                + "events-\(random.below(100000)).ndjson.gz"
        case 1:
            return "dt=2026-11-20/" + randomString(&random, from: keyAlphabet, length: 1...12)
        default:
            return randomString(&random, from: keyAlphabet, length: 1...24)
        }
    }

    static func randomCase(_ random: inout SplitMix) -> Case {
        let methods = ["GET", "PUT", "POST", "DELETE", "HEAD"]
        let method = methods[random.below(methods.count)]
        let endpoint: S3Endpoint
        switch random.below(3) {
        case 0: endpoint = S3Endpoint(scheme: "http", host: "127.0.0.1", port: 9000 + random.below(1000), addressing: .path)
        case 1: endpoint = S3Endpoint(scheme: "https", host: "s3.eu-west-1.amazonaws.com", port: nil, addressing: .virtualHosted)
        default: endpoint = S3Endpoint(scheme: "http", host: "localhost", port: 80, addressing: .path)
        }
        let bucket = ["logs", "sec-archive", "a.b-c", "bucket123", "Upper_Case"][random.below(5)]
        let key: String? = random.below(5) == 0 ? nil : randomKey(&random)

        let paramNames = ["list-type", "prefix", "delimiter", "continuation-token", "start-after", "uploadId",
                          "partNumber", "uploads", "max-keys", "x-id", "odd name", "ключ", "a=b", "tilde~"]
        var params: [(name: String, value: String)] = []
        var used = Set<String>()
        for _ in 0..<random.below(5) {
            let name = paramNames[random.below(paramNames.count)]
            guard used.insert(name).inserted else { continue }
            let value = random.below(4) == 0 ? "" : randomString(&random, from: valueAlphabet, length: 1...16)
            params.append((name, value))
        }

        let headerValues = ["text/plain", "  padded  value ", "a   b\tc", "bytes=0-99", "AES256", "x,y", ""]
        var headers: [(name: String, value: String)] = []
        for _ in 0..<random.below(4) {
            let names = ["X-Amz-Meta-Source", "x-amz-meta-dup", "X-Amz-Meta-Dup", "Content-Type", "Range",
                         "x-amz-server-side-encryption", "Cache-Control"]
            headers.append((names[random.below(names.count)], headerValues[random.below(headerValues.count)]))
        }
        let body: [UInt8] = (method == "PUT" || method == "POST")
            ? (0..<random.below(65)).map { _ in UInt8(random.below(256)) } : []
        let token: String? = random.below(3) == 0
            ? "FQoGZXIvYXdzE" + randomString(&random, from: ["A", "z", "9", "/", "+", "="], length: 8...40) : nil
        let regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
        let epoch = 1_600_000_000 + random.below(300_000_000)
        return Case(method: method, endpoint: endpoint, bucket: bucket, key: key, params: params,
                    headers: headers, body: body,
                    credentials: AWSCredentials(accessKeyId: "AKIA" + randomString(&random, from: ["A", "7", "Q"], length: 16...16),
                                                secretAccessKey: randomString(&random, from: ["a", "Z", "/", "+", "0"], length: 40...40),
                                                sessionToken: token),
                    region: regions[random.below(regions.count)],
                    amzDate: SigV4Signer.amzDate(epochSeconds: epoch))
    }

    // MARK: botocore

    private func runBotocore(_ cases: [Case]) throws -> [[String: String]] {
        let specs: [[String: Any]] = cases.map { c in
            [
                "method": c.method, "scheme": c.endpoint.scheme,
                "host": c.endpoint.hostHeader(bucket: ""), "bucket": c.bucket, "key": c.key as Any? ?? NSNull(),
                "addressing": c.endpoint.addressing(for: c.bucket) == .path ? "path" : "virtual",
                "params": c.params.map { [$0.name, $0.value] }, "headers": c.headers.map { [$0.name, $0.value] },
                "body_hex": Crypto.hex(c.body), "access_key": c.credentials.accessKeyId,
                "secret_key": c.credentials.secretAccessKey, "token": c.credentials.sessionToken as Any? ?? NSNull(),
                "region": c.region, "amz_date": c.amzDate,
                "presign_expires": c.presignExpires as Any? ?? NSNull(),
            ]
        }
        let input = try JSONSerialization.data(withJSONObject: specs)
        let output = try PythonVenv.run(script: "tests/interop/s3_sigv4_botocore.py", stdin: input)
        let parsed = try JSONSerialization.jsonObject(with: output)
        return try XCTUnwrap(parsed as? [[String: String]], "botocore helper printed no JSON array")
    }
}

