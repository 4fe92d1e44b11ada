/// Bootstrap brokers as flags and `kafka://` URIs give them:
/// `host:port[,host:port...]`, an IPv6 host in brackets (`[::1]:9092`).
/// Each port is checked to be 1-65535 here, so a typo is a usage error
/// instead of a connection that can never succeed.
public struct KafkaBrokers: Hashable, Sendable, CustomStringConvertible {
    /// The list as given, as `KafkaConfig(bootstrap:)` takes it.
    public let text: String
    public let endpoints: [(host: String, port: Int)]

    public init(parsing text: String) throws {
        var endpoints: [(host: String, port: Int)] = []
        for part in text.split(separator: ",") {
            let entry = part.droppingSpaces()
            guard let colon = entry.lastIndex(of: ":"), let port = Int(entry[entry.index(after: colon)...]) else {
                throw OptionValueError(text, "not host:port[,host:port...] ('\(entry)' has no port)")
            }
            guard (1...65_535).contains(port) else {
                throw OptionValueError(text, "not host:port[,host:port...] (port \(port) of '\(entry)' is not 1-65535)")
            }
            var host = String(entry[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw OptionValueError(text, "not host:port[,host:port...] ('\(entry)' has no host)") }
            endpoints.append((host, port))
        }
        guard !endpoints.isEmpty else { throw OptionValueError(text, "not host:port[,host:port...] (no broker given)") }
        self.text = text
        self.endpoints = endpoints
    }

    public var description: String { text }

    public static func == (a: KafkaBrokers, b: KafkaBrokers) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

private extension Substring {
    func droppingSpaces() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
