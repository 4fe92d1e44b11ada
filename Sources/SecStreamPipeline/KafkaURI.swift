/// `kafka://host:port[,host:port...]/topic[?group=ID]` (SPEC.md "URIs").
public struct KafkaURI: Equatable {
    /// "host:port[,host:port...]", as `KafkaConfig(bootstrap:)` takes it.
    public var bootstrap: String
    public var topic: String
    /// Consumer-group mode when set; assign mode (every partition) otherwise.
    public var group: String?

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
            guard kv.count == 2, kv[0] == "group", !kv[1].isEmpty else {
                throw RunError(.usage, "\(uri): unknown or empty query parameter '\(pair)' (only group=ID)")
            }
            group = String(kv[1])
        }
    }
}
