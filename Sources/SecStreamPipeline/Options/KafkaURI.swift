/// `kafka://host:port[,host:port...]/topic[?group=ID]` (docs/uris-and-exit-codes.md): an
/// input (`group` selects consumer-group mode) or an output topic
/// (`--alerts`, `--dead-letter`; `compression=none|gzip|snappy|lz4|zstd`).
public struct KafkaURI: Equatable {
    /// "host:port[,host:port...]", as `KafkaConfig(bootstrap:)` takes it.
    public var bootstrap: String
    public var topic: String
    /// Consumer-group mode when set; assign mode (every partition) otherwise.
    public var group: String?
    /// Outputs: the codec of the produced batches (validated by the sink).
    public var compression: String?

    public static func isKafka(_ uri: String) -> Bool { uri.hasPrefix("kafka://") }

    /// Parses the URI; a malformed one is a usage error naming it.
    public init(_ uri: String) throws {
        guard Self.isKafka(uri) else { throw RunError(.usage, "\(uri): not a kafka:// URI") }
        var rest = Substring(uri.dropFirst("kafka://".count))
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw RunError(.usage, "\(uri): expected kafka://host:port[,host:port...]/topic[?group=ID]")
        }
        bootstrap = String(rest[..<slash])
        topic = String(rest[rest.index(after: slash)...])
        guard !bootstrap.isEmpty, !topic.isEmpty, !topic.contains("/") else {
            throw RunError(.usage, "\(uri): expected kafka://host:port[,host:port...]/topic[?group=ID]")
        }
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0] == "group" || kv[0] == "compression", !kv[1].isEmpty else {
                throw RunError(.usage, "\(uri): unknown or empty query parameter '\(pair)' (group=ID on inputs, compression=CODEC on outputs)")
            }
            if kv[0] == "group" { group = String(kv[1]) } else { compression = String(kv[1]) }
        }
    }

    /// An input topic: `compression=` belongs to outputs.
    public static func input(_ uri: String) throws -> KafkaURI {
        let parsed = try KafkaURI(uri)
        if parsed.compression != nil {
            throw RunError(.usage, "--input \(uri): compression= applies to output topics (records say how they are compressed)")
        }
        return parsed
    }

    /// An output topic (`--alerts`, `--dead-letter`): a consumer group is
    /// something a reader joins, so `group=` there is a mistake, not a no-op.
    public static func output(_ uri: String, flag: String) throws -> KafkaURI {
        let parsed = try KafkaURI(uri)
        if parsed.group != nil {
            throw RunError(.usage, "\(flag) \(uri): group= selects a consumer group for inputs; an output topic takes none")
        }
        return parsed
    }
}
