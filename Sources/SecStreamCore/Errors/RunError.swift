import Codecs

/// An error that ends a run, with the exit code docs/uris-and-exit-codes.md assigns to its class.
/// `description` is the one line printed on stderr.
public struct RunError: Error, CustomStringConvertible {
    public enum Kind: Int32 {
        /// 2: bad flags, bad URI, unusable configuration.
        case usage = 2
        /// 3: input or rule error (unreadable file, rule that does not load).
        case input = 3
        /// 4: a remote system (Kafka, S3) failed after retries.
        case remote = 4
    }

    public let kind: Kind
    public let message: String
    /// The output pipe was closed by its reader (`secstream generate | head`).
    public let isBrokenPipe: Bool

    public init(_ kind: Kind, _ message: String, cause: Error? = nil) {
        self.kind = kind
        self.message = message
        self.isBrokenPipe = (cause as? IOError)?.isBrokenPipe ?? false
    }

    public var exitCode: Int32 { kind.rawValue }
    public var description: String { message }
}

/// Exit code 1: the run completed but found what the caller asked to fail on.
public let exitFindings: Int32 = 1
