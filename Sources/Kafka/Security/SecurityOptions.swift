/// TLS through OpenSSL.
public struct TLSOptions: Sendable {
    /// PEM CA bundle; nil uses the system trust store.
    public var caFile: String?
    /// PEM client certificate chain and key for mutual TLS.
    public var certFile: String?
    public var keyFile: String?
    /// Check the broker certificate's name against the host we dialed.
    public var verifyHostname: Bool
    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, verifyHostname: Bool = true) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.verifyHostname = verifyHostname
    }
}

public enum SASLMechanism: String, Sendable {
    case plain = "PLAIN"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"
}

public struct SASLOptions: Sendable {
    public var mechanism: SASLMechanism
    public var username: String
    public var password: String
    public init(mechanism: SASLMechanism, username: String, password: String) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }
}
