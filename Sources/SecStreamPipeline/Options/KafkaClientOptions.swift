import Foundation
import Kafka

/// TLS and SASL settings shared by `ingest` and `process` (the `KafkaOptions`
/// flag group of the CLI). Strings are validated here so every bad value is
/// one usage error (exit 2) naming its flag.
public struct KafkaClientOptions {
    public var tls = false
    public var tlsCA: String?
    public var tlsCert: String?
    public var tlsKey: String?
    public var tlsNoVerifyHostname = false
    /// PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; nil = no SASL.
    public var saslMechanism: String?
    public var saslUsername: String?
    /// The password, or nil to take it from `SECSTREAM_SASL_PASSWORD` (keeps it out of `ps`).
    public var saslPassword: String?

    public init() {}

    /// A client configuration for `bootstrap` ("host:port[,host:port...]").
    func config(bootstrap: String, clientId: String = "secstream") throws -> KafkaConfig {
        let usesTLS = tls || tlsCA != nil || tlsCert != nil || tlsKey != nil
        if (tlsCert == nil) != (tlsKey == nil) {
            throw RunError(.usage, "--tls-cert and --tls-key go together (mutual TLS)")
        }
        let tlsOptions = usesTLS ? TLSOptions(caFile: tlsCA, certFile: tlsCert, keyFile: tlsKey,
                                              verifyHostname: !tlsNoVerifyHostname) : nil
        var sasl: SASLOptions?
        if let name = saslMechanism {
            guard let mechanism = SASLMechanism(rawValue: name.uppercased()) else {
                throw RunError(.usage, "--sasl-mechanism: '\(name)' is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
            }
            guard let user = saslUsername else { throw RunError(.usage, "--sasl-mechanism needs --sasl-username") }
            guard let password = saslPassword ?? ProcessInfo.processInfo.environment["SECSTREAM_SASL_PASSWORD"] else {
                throw RunError(.usage, "--sasl-mechanism needs --sasl-password or SECSTREAM_SASL_PASSWORD")
            }
            sasl = SASLOptions(mechanism: mechanism, username: user, password: password)
        } else if saslUsername != nil {
            throw RunError(.usage, "--sasl-username needs --sasl-mechanism")
        }
        do {
            return try KafkaConfig(bootstrap: bootstrap, clientId: clientId, tls: tlsOptions, sasl: sasl)
        } catch {
            throw RunError(.usage, "brokers '\(bootstrap)': \(error)")
        }
    }
}
