import Foundation

/// Where S3 requests go and how buckets are addressed: virtual-hosted
/// (`bucket.s3.region.amazonaws.com/key`, AWS's default) or path-style
/// (`host:port/bucket/key`, what local servers such as moto and nanio need).
public struct S3Endpoint: Equatable, Sendable {
    public enum Addressing: String, Sendable {
        case path
        case virtualHosted = "virtual"
    }

    public var scheme: String
    public var host: String
    public var port: Int?
    public var addressing: Addressing

    public init(scheme: String, host: String, port: Int?, addressing: Addressing) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.addressing = addressing
    }

    /// AWS's own endpoint for the region, virtual-hosted.
    public static func aws(region: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "s3.\(region).amazonaws.com", port: nil, addressing: .virtualHosted)
    }

    /// Parses `AWS_ENDPOINT_URL` (`http://127.0.0.1:9000`, `https://minio.local`).
    /// A custom endpoint is addressed path-style unless told otherwise: local
    /// servers rarely resolve `bucket.host` names.
    public static func parse(url: String, addressing: Addressing?) -> S3Endpoint? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var authority = url[schemeEnd.upperBound...]
        if let slash = authority.firstIndex(of: "/") { authority = authority[..<slash] }
        guard !authority.isEmpty else { return nil }
        var host = String(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
            host = String(authority[..<colon])
            port = number
        }
        return S3Endpoint(scheme: scheme, host: host, port: port, addressing: addressing ?? .path)
    }

    /// The addressing actually used for `bucket`: virtual-hosted only when
    /// the bucket name is a valid DNS label (and has no dot under https,
    /// where `a.b.s3.amazonaws.com` fails the wildcard certificate); path
    /// style otherwise, as the AWS SDKs do.
    func addressing(for bucket: String) -> Addressing {
        guard addressing == .virtualHosted, !bucket.isEmpty else { return .path }
        let bytes = Array(bucket.utf8)
        let validLabel = bytes.count >= 3 && bytes.count <= 63
            && bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 }
            && bytes.first != 45 && bytes.last != 45 && bytes.first != 46 && bytes.last != 46
        if !validLabel || (scheme == "https" && bytes.contains(46)) { return .path }
        return .virtualHosted
    }

    /// The `Host` header: the port only when it is not the scheme's default,
    /// exactly as HTTP clients (and so the server's signature check) see it.
    func hostHeader(bucket: String) -> String {
        var name = addressing(for: bucket) == .virtualHosted ? "\(bucket).\(host)" : host
        if let port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) {
            name += ":\(port)"
        }
        return name
    }

    /// The encoded path for an object (or for the bucket when `key` is nil).
    func encodedPath(bucket: String, key: String?) -> String {
        let encodedKey = key.map(URIEncoding.encodePath)
        switch addressing(for: bucket) {
        case .path:
            if let encodedKey { return "/\(URIEncoding.encode(bucket))/\(encodedKey)" }
            return "/\(URIEncoding.encode(bucket))"
        case .virtualHosted:
            return "/" + (encodedKey ?? "")
        }
    }

    /// Builds and signs one request. The URL's path and query are the very
    /// strings that were signed.
    func signedRequest(method: String, bucket: String, key: String?, query: [(name: String, value: String)],
                       headers: [(name: String, value: String)], payloadSHA256: String,
                       credentials: AWSCredentials, region: String, amzDate: String)
        -> (url: String, headers: [(name: String, value: String)], signature: SigV4Signature) {
        let host = hostHeader(bucket: bucket)
        let request = SigV4Request(method: method, encodedPath: encodedPath(bucket: bucket, key: key),
                                   query: query, headers: [("host", host)] + headers,
                                   payloadSHA256: payloadSHA256)
        let signature = SigV4Signer.sign(request, credentials: credentials, region: region, service: "s3",
                                         amzDate: amzDate, addContentSHA256Header: true)
        var url = "\(scheme)://\(host)\(request.encodedPath)"
        let queryString = request.encodedQuery
        if !queryString.isEmpty { url += "?" + queryString }
        // curl sets Host itself from the URL; sending it twice would be wrong.
        return (url, headers + signature.headersToAdd, signature)
    }

    /// A presigned URL for `key`, usable without credentials (by DuckDB,
    /// curl, a browser) until it expires. S3 presigned URLs sign
    /// `UNSIGNED-PAYLOAD` and only the host header.
    func presignedURL(method: String, bucket: String, key: String, credentials: AWSCredentials, region: String,
                      amzDate: String, expiresSeconds: Int) -> String {
        let request = SigV4Request(method: method, encodedPath: encodedPath(bucket: bucket, key: key),
                                   headers: [("host", hostHeader(bucket: bucket))], payloadSHA256: "UNSIGNED-PAYLOAD")
        let presigned = SigV4Signer.presign(request, credentials: credentials, region: region, service: "s3",
                                            amzDate: amzDate, expiresSeconds: expiresSeconds)
        return "\(scheme)://\(hostHeader(bucket: bucket))\(request.encodedPath)?"
            + SigV4Signer.canonicalQuery(presigned.queryToAdd)
    }
}
