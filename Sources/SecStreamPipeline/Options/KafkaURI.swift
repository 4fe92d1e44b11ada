import SecStreamCore

/// `kafka://host:port[,host:port...]/topic[?group=ID]` (docs/uris-and-exit-codes.md): an
/// input (`group` selects consumer-group mode) or an output topic
/// (`--alerts`, `--dead-letter`; `compression=none|gzip|snappy|lz4|zstd`).
public struct KafkaURI: Equatable, Sendable, CustomStringConvertible {
    /// "host:port[,host:port...]", as `KafkaConfig(bootstrap:)` takes it (ports checked, `KafkaBrokers`).
    public var bootstrap: String
    public var topic: String
    /// Consumer-group mode when set; assign mode (every partition) otherwise.
    public var group: String?
    /// Outputs: the codec of the produced batches (a `KafkaCompression` name; checked by `output`).
    public var compression: String?

    public static func isKafka(_ uri: String) -> Bool { uri.hasPrefix("kafka://") }

    static let form = "kafka://host:port[,host:port...]/topic[?group=ID]"

    /// Parses the URI, inputs and outputs alike; the error names what is wrong.
    public init(parsing uri: String) throws {
        guard Self.isKafka(uri) else { throw OptionValueError(uri, "not a kafka:// URI") }
        var rest = Substring(uri.dropFirst("kafka://".count))
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw OptionValueError(uri, "not \(Self.form) (no topic)") }
        bootstrap = String(rest[..<slash])
        topic = String(rest[rest.index(after: slash)...])
        guard !bootstrap.isEmpty, !topic.isEmpty, !topic.contains("/") else {
            throw OptionValueError(uri, "not \(Self.form)")
        }
        do { _ = try KafkaBrokers(parsing: bootstrap) } catch let error as OptionValueError {
            throw OptionValueError(uri, "not \(Self.form): brokers \(error)")
        }
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0] == "group" || kv[0] == "compression", !kv[1].isEmpty else {
                throw OptionValueError(uri, "not \(Self.form): unknown or empty query parameter '\(pair)' (group=ID on inputs, compression=CODEC on outputs)")
            }
            if kv[0] == "group" { group = String(kv[1]) } else { compression = String(kv[1]) }
        }
    }

    /// Parses the URI; a malformed one is a usage error naming it.
    public init(_ uri: String) throws {
        do { try self.init(parsing: uri) } catch let error as OptionValueError { throw RunError(.usage, error.description) }
    }

    /// An input topic: `compression=` belongs to outputs.
    public static func input(parsing uri: String) throws -> KafkaURI {
        let parsed = try KafkaURI(parsing: uri)
        if parsed.compression != nil {
            throw OptionValueError(uri, "not an input topic: compression= applies to output topics (records say how they are compressed)")
        }
        return parsed
    }

    /// An output topic (`--alerts`, `--dead-letter`): a consumer group is
    /// something a reader joins, so `group=` there is a mistake, not a no-op;
    /// an unknown codec is refused before any broker is asked.
    public static func output(parsing uri: String) throws -> KafkaURI {
        let parsed = try KafkaURI(parsing: uri)
        if parsed.group != nil {
            throw OptionValueError(uri, "not an output topic: group= selects a consumer group for inputs; an output topic takes none")
        }
        if let codec = parsed.compression {
            do { _ = try KafkaCompression(parsing: codec) } catch let error as OptionValueError {
                throw OptionValueError(uri, "not an output topic: compression \(error)")
            }
        }
        return parsed
    }

    /// The URI, query parameters in a fixed order.
    public var description: String {
        var query: [String] = []
        if let group { query.append("group=\(group)") }
        if let compression { query.append("compression=\(compression)") }
        return "kafka://\(bootstrap)/\(topic)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }
}
