#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An access key pair, with the session token of temporary credentials.
public struct AWSCredentials: Equatable, Sendable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// What SigV4 signs of an HTTP request.
public struct SigV4Request: Sendable {
    public var method: String
    /// The path exactly as sent on the wire, already percent-encoded. S3
    /// signs it as it is: never normalised, never encoded a second time.
    public var encodedPath: String
    /// Decoded query parameters; the signer encodes them.
    public var query: [(name: String, value: String)]
    /// Headers to sign (`host` included); names in any case.
    public var headers: [(name: String, value: String)]
    /// Hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
    public var payloadSHA256: String

    public init(method: String, encodedPath: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)], payloadSHA256: String) {
        self.method = method
        self.encodedPath = encodedPath
        self.query = query
        self.headers = headers
        self.payloadSHA256 = payloadSHA256
    }

    /// The query string to put on the wire: the canonical one, so that what
    /// is sent is byte for byte what was signed.
    public var encodedQuery: String { SigV4Signer.canonicalQuery(query) }
}

/// The result of signing: the intermediate texts (for tests and debugging)
/// and the headers to add to the request.
public struct SigV4Signature: Sendable {
    public var canonicalRequest: String
    public var stringToSign: String
    public var signature: String
    public var authorization: String
    /// `x-amz-date`, `x-amz-security-token` (temporary credentials),
    /// `x-amz-content-sha256` (when asked) and `authorization`.
    public var headersToAdd: [(name: String, value: String)]
}

/// A presigned request: the intermediate texts and the query parameters to add.
public struct SigV4Presignature: Sendable {
    public var canonicalRequest: String
    public var stringToSign: String
    public var signature: String
    /// `X-Amz-Algorithm`, `-Credential`, `-Date`, `-Expires`, `-SignedHeaders`,
    /// `-Security-Token` (temporary credentials) and `-Signature`.
    public var queryToAdd: [(name: String, value: String)]
}

/// AWS Signature Version 4, header and query variants, as a pure function of the
/// request, the credentials, the scope and the time.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
public enum SigV4Signer {
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// Signs `request`. `amzDate` is the `YYYYMMDD'T'HHMMSS'Z'` time (see
    /// `amzDate(epochSeconds:)`). S3 wants `addContentSHA256Header`: it
    /// requires `x-amz-content-sha256` on every request.
    public static func sign(_ request: SigV4Request, credentials: AWSCredentials, region: String,
                            service: String, amzDate: String,
                            addContentSHA256Header: Bool) -> SigV4Signature {
        var added: [(name: String, value: String)] = [("x-amz-date", amzDate)]
        if let token = credentials.sessionToken, !token.isEmpty {
            added.append(("x-amz-security-token", token))
        }
        if addContentSHA256Header {
            added.append(("x-amz-content-sha256", request.payloadSHA256))
        }
        // Headers the signer sets replace any the caller passed.
        let replaced = Set(added.map(\.name))
        var headers = request.headers.filter { !replaced.contains($0.name.lowercased()) }
        headers.append(contentsOf: added)

        let (canonicalHeaders, signedHeaders) = canonicalize(headers: headers)
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        let texts = signTexts(method: request.method, encodedPath: request.encodedPath,
                              canonicalQuery: canonicalQuery(request.query), canonicalHeaders: canonicalHeaders,
                              signedHeaders: signedHeaders, payloadSHA256: request.payloadSHA256,
                              secret: credentials.secretAccessKey, region: region, service: service,
                              amzDate: amzDate, scope: scope)
        let authorization = "\(algorithm) Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(texts.signature)"
        added.append(("authorization", authorization))
        return SigV4Signature(canonicalRequest: texts.canonicalRequest, stringToSign: texts.stringToSign,
                              signature: texts.signature, authorization: authorization, headersToAdd: added)
    }

    /// The query-string variant (a presigned URL): the authentication goes
    /// into `X-Amz-*` query parameters, valid for `expiresSeconds`. Returns
    /// the parameters to add to the request's own query (the signature
    /// included); S3 presigned URLs sign `UNSIGNED-PAYLOAD`.
    public static func presign(_ request: SigV4Request, credentials: AWSCredentials, region: String,
                               service: String, amzDate: String, expiresSeconds: Int) -> SigV4Presignature {
        let (canonicalHeaders, signedHeaders) = canonicalize(headers: request.headers)
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        var parameters: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope)"),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", String(expiresSeconds)),
            ("X-Amz-SignedHeaders", signedHeaders),
        ]
        if let token = credentials.sessionToken, !token.isEmpty {
            parameters.append(("X-Amz-Security-Token", token))
        }
        let texts = signTexts(method: request.method, encodedPath: request.encodedPath,
                              canonicalQuery: canonicalQuery(request.query + parameters),
                              canonicalHeaders: canonicalHeaders, signedHeaders: signedHeaders,
                              payloadSHA256: request.payloadSHA256, secret: credentials.secretAccessKey,
                              region: region, service: service, amzDate: amzDate, scope: scope)
        parameters.append(("X-Amz-Signature", texts.signature))
        return SigV4Presignature(canonicalRequest: texts.canonicalRequest, stringToSign: texts.stringToSign,
                                 signature: texts.signature, queryToAdd: parameters)
    }

    /// Canonical request → string to sign → signature, shared by both variants.
    private static func signTexts(method: String, encodedPath: String, canonicalQuery: String,
                                  canonicalHeaders: String, signedHeaders: String, payloadSHA256: String,
                                  secret: String, region: String, service: String, amzDate: String,
                                  scope: String) -> (canonicalRequest: String, stringToSign: String, signature: String) {
        let canonicalRequest = [
            method.uppercased(),
            encodedPath.isEmpty ? "/" : encodedPath,
            canonicalQuery,
            canonicalHeaders,
            signedHeaders,
            payloadSHA256,
        ].joined(separator: "\n")
        let stringToSign = [
            algorithm, amzDate, scope, Crypto.hex(Crypto.sha256(Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let key = signingKey(secret: secret, day: String(amzDate.prefix(8)), region: region, service: service)
        let signature = Crypto.hex(Crypto.hmacSHA256(key: key, message: Array(stringToSign.utf8)))
        return (canonicalRequest, stringToSign, signature)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, day), region), service), "aws4_request")
    static func signingKey(secret: String, day: String, region: String, service: String) -> [UInt8] {
        var key = Crypto.hmacSHA256(key: Array("AWS4\(secret)".utf8), message: Array(day.utf8))
        key = Crypto.hmacSHA256(key: key, message: Array(region.utf8))
        key = Crypto.hmacSHA256(key: key, message: Array(service.utf8))
        return Crypto.hmacSHA256(key: key, message: Array("aws4_request".utf8))
    }

    /// Encoded `name=value` pairs sorted by name then value, in byte order.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (URIEncoding.encode($0.name), URIEncoding.encode($0.value)) }
            .sorted { a, b in
                a.0 == b.0 ? a.1.utf8.lexicographicallyPrecedes(b.1.utf8)
                           : a.0.utf8.lexicographicallyPrecedes(b.0.utf8)
            }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Lower-cased names sorted in byte order, one `name:value` line each;
    /// repeated headers joined by commas in their original order; values
    /// trimmed with inner whitespace runs collapsed to one space.
    static func canonicalize(headers: [(name: String, value: String)]) -> (canonical: String, signed: String) {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            if values[lower] == nil { order.append(lower) }
            values[lower, default: []].append(collapseWhitespace(value))
        }
        order.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var canonical = ""
        for name in order {
            canonical += name + ":" + values[name]!.joined(separator: ",") + "\n"
        }
        return (canonical, order.joined(separator: ";"))
    }

    static func collapseWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    public static func amzDate(epochSeconds: Int) -> String {
        var time = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z"
    }
}
