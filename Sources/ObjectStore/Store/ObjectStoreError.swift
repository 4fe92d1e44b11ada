/// Every failure of an object store, as one line that names the operation,
/// the object, and what the remote side said. `kind` lets the CLI choose its
/// exit code: `.remoteFailed` is exit 4 ("a remote system failed after
/// retries"), `.configuration` exit 2, `.notFound` is for callers to handle.
public struct ObjectStoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The key does not exist (HTTP 404 / ENOENT).
        case notFound
        /// The remote store refused or failed, after retries where retrying
        /// made sense (5xx, SlowDown, timeouts, resets) and at once where it
        /// did not (403 AccessDenied, SignatureDoesNotMatch, ...).
        case remoteFailed
        /// The range starts past the end of the object (HTTP 416).
        case invalidRange
        /// A key the store cannot represent (empty, `..` segment, ...).
        case invalidKey
        /// Bad URI, missing credentials or region, unreadable config file.
        case configuration
        /// The local filesystem failed (directory store).
        case io
    }

    public var kind: Kind
    /// `PUT`, `GET`, `HEAD`, `LIST`, `DELETE`, `open`, ...
    public var operation: String
    /// `s3://bucket/key` or a file path.
    public var target: String
    public var httpStatus: Int?
    /// S3 error code (`NoSuchBucket`, `SlowDown`, ...) or a transport error name.
    public var code: String?
    public var message: String
    public var requestId: String?
    public var attempts: Int

    public init(kind: Kind, operation: String, target: String, httpStatus: Int? = nil,
                code: String? = nil, message: String, requestId: String? = nil, attempts: Int = 1) {
        self.kind = kind
        self.operation = operation
        self.target = target
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.requestId = requestId
        self.attempts = attempts
    }

    /// e.g. `S3 PUT s3://logs/dt=2026-11-20/a.ndjson.gz failed: HTTP 403 SignatureDoesNotMatch:
    /// The request signature we calculated does not match (request id 4F2A..., 1 attempt)`
    public var description: String {
        var line = "\(operation) \(target) failed: "
        if let httpStatus { line += "HTTP \(httpStatus) " }
        if let code { line += "\(code): " }
        line += message
        var details: [String] = []
        if let requestId { details.append("request id \(requestId)") }
        if attempts > 1 { details.append("after \(attempts) attempts") }
        if !details.isEmpty { line += " (" + details.joined(separator: ", ") + ")" }
        return line
    }
}
