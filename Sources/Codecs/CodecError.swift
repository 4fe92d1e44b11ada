/// A compression or decompression failure: which codec, and what went wrong,
/// in one line. `context` names the stream (a path, a topic/partition) when
/// the caller knows it.
public struct CodecError: Error, CustomStringConvertible, Sendable {
    public let codec: CompressionCodec
    public let message: String
    public var context: String?

    public init(_ codec: CompressionCodec, _ message: String, context: String? = nil) {
        self.codec = codec
        self.message = message
        self.context = context
    }

    public func withContext(_ context: String) -> CodecError {
        var e = self
        e.context = context
        return e
    }

    public var description: String {
        if let context { return "\(context): \(codec.rawValue): \(message)" }
        return "\(codec.rawValue): \(message)"
    }
}

/// An I/O failure on a file or standard stream, naming the path and the errno text.
public struct IOError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String
    /// The reader at the other end of a pipe went away (EPIPE): like `rg` or
    /// `jq`, the CLI then stops quietly instead of reporting an error.
    public let isBrokenPipe: Bool

    public init(path: String, _ message: String, isBrokenPipe: Bool = false) {
        self.path = path
        self.message = message
        self.isBrokenPipe = isBrokenPipe
    }

    public var description: String { "\(path): \(message)" }
}
