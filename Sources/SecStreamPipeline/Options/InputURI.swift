import Foundation

/// An input of `process --input` (docs/uris-and-exit-codes.md): `-` (stdin),
/// an NDJSON file (a path or `file:///path`; gzip, lz4 or zstd found by magic
/// bytes), or a topic, `kafka://host:port[,host:port...]/topic[?group=ID]`.
///
/// `s3://` names an archive, which `replay` reads: the parser says so rather
/// than taking it for a file name, as it does for any other scheme.
public enum InputURI: Equatable, Sendable, CustomStringConvertible {
    case stdin
    case file(path: String)
    case kafka(KafkaURI)

    public init(parsing text: String) throws {
        if text == "-" {
            self = .stdin
        } else if KafkaURI.isKafka(text) {
            self = .kafka(try KafkaURI.input(parsing: text))
        } else if text.hasPrefix("s3://") {
            throw OptionValueError(text, "an archive, not an input: an archive is read with `secstream replay \(text)`")
        } else {
            self = .file(path: try LocalPath.parse(text, expected: "'-', a path, file:///path or kafka://host:port/topic"))
        }
    }

    /// The path `FileLineSource` opens: `-` for stdin.
    public var path: String? {
        switch self {
        case .stdin: return "-"
        case .file(let path): return path
        case .kafka: return nil
        }
    }

    public var description: String {
        switch self {
        case .stdin: return "-"
        case .file(let path): return path
        case .kafka(let uri): return uri.description
        }
    }
}

/// Paths as URIs give them: a plain path, or `file:///absolute/path`
/// (percent-decoded). Another `scheme://` is refused: no file name is meant
/// to look like a URI, and taking one for a path would fail later, less clearly.
enum LocalPath {
    /// The path `text` names; `expected` says what the flag takes, for the error.
    static func parse(_ text: String, expected: String) throws -> String {
        guard !text.isEmpty else { throw OptionValueError(text, "empty: give a path") }
        if text.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            guard path.hasPrefix("/"), let decoded = path.removingPercentEncoding else {
                throw OptionValueError(text, "not file:///absolute/path")
            }
            return decoded
        }
        if let scheme = text.range(of: "://") {
            throw OptionValueError(text, "not \(expected) (unsupported scheme '\(text[..<scheme.lowerBound])')")
        }
        return text
    }
}
