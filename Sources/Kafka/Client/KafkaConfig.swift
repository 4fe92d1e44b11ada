/// Connection settings shared by producers, consumers and admin calls.
public struct KafkaConfig: Sendable {
    public var bootstrap: [(host: String, port: Int32)]
    public var clientId: String
    public var connectTimeoutMs: Int
    /// Deadline for one request/response round trip (fetch adds its max wait).
    public var requestTimeoutMs: Int
    /// Refresh metadata at least this often.
    public var metadataMaxAgeMs: Int
    public var tls: TLSOptions?
    public var sasl: SASLOptions?

    /// `bootstrap` is "host:port[,host:port...]".
    public init(bootstrap: String, clientId: String = "secstream", connectTimeoutMs: Int = 10_000,
                requestTimeoutMs: Int = 30_000, metadataMaxAgeMs: Int = 300_000,
                tls: TLSOptions? = nil, sasl: SASLOptions? = nil) throws {
        var list: [(String, Int32)] = []
        for part in bootstrap.split(separator: ",") {
            let hp = part.trimmingSpaces()
            guard let colon = hp.lastIndex(of: ":"), let port = Int32(hp[hp.index(after: colon)...]),
                  colon != hp.startIndex else {
                throw KafkaError.config("bootstrap entry '\(hp)' is not host:port")
            }
            var host = String(hp[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            list.append((host, port))
        }
        if list.isEmpty { throw KafkaError.config("empty bootstrap server list") }
        self.bootstrap = list
        self.clientId = clientId
        self.connectTimeoutMs = connectTimeoutMs
        self.requestTimeoutMs = requestTimeoutMs
        self.metadataMaxAgeMs = metadataMaxAgeMs
        self.tls = tls
        self.sasl = sasl
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
