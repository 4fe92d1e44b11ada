import SecStreamCore
import Foundation
import Kafka

/// TLS and SASL settings of every Kafka client a run opens: `ingest`'s
/// producer, and the inputs and outputs (`--alerts`, `--dead-letter`) of
/// `process` and `replay` (the `KafkaOptions` flag group of the CLI). The
/// flags that go together are checked by `config(bootstrap:)`, each missing
/// partner one usage error (exit 2) naming its flag.
public struct KafkaClientOptions {
    /// `--tls`: connect with TLS (the system trust store unless `tlsCA`). Default: off,
    /// unless one of the files below is given.
    public var tls = false
    /// `--tls-ca`: PEM CA bundle that signs the broker certificates. Default: none.
    public var tlsCA: String?
    /// `--tls-cert`: PEM client certificate for mutual TLS (with `tlsKey`). Default: none.
    public var tlsCert: String?
    /// `--tls-key`: PEM private key of `tlsCert`. Default: none.
    public var tlsKey: String?
    /// `--tls-no-verify-hostname`: accept a certificate issued for another name. Default: off.
    public var tlsNoVerifyHostname = false
    /// `--sasl-mechanism`. Default: nil, no SASL.
    public var saslMechanism: KafkaSASLMechanism?
    /// `--sasl-username`: required with a mechanism.
    public var saslUsername: String?
    /// `--sasl-password`, or nil to take it from `SECSTREAM_SASL_PASSWORD` (keeps it out of `ps`).
    public var saslPassword: String?

    public init() {}

    /// A client configuration for `bootstrap` ("host:port[,host:port...]").
    package func config(bootstrap: String, clientId: String = "secstream") throws -> KafkaConfig {
        let usesTLS = tls || tlsCA != nil || tlsCert != nil || tlsKey != nil
        if (tlsCert == nil) != (tlsKey == nil) {
            throw RunError(.usage, "--tls-cert and --tls-key go together (mutual TLS)")
        }
        let tlsOptions = usesTLS ? TLSOptions(caFile: tlsCA, certFile: tlsCert, keyFile: tlsKey,
                                              verifyHostname: !tlsNoVerifyHostname) : nil
        var sasl: SASLOptions?
        if let mechanism = saslMechanism?.mechanism {
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

