import ArgumentParser
import SecStreamPipeline

/// TLS and SASL flags for every Kafka URI: `ingest`, and the inputs and
/// outputs (`--alerts`, `--dead-letter`) of `process` and `replay`.
struct KafkaOptions: ParsableArguments {
    @Flag(name: .customLong("tls"), help: "Kafka: connect with TLS (system trust store unless --tls-ca).") var tls = false
    @Option(name: .customLong("tls-ca"), help: "Kafka: PEM CA bundle that signs the broker certificates (implies --tls).") var tlsCA: String?
    @Option(name: .customLong("tls-cert"), help: "Kafka: PEM client certificate for mutual TLS (with --tls-key).") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "Kafka: PEM private key of --tls-cert.") var tlsKey: String?
    @Flag(name: .customLong("tls-no-verify-hostname"), help: "Kafka: accept a broker certificate issued for another name.") var tlsNoVerifyHostname = false
    @Option(name: .customLong("sasl-mechanism"), help: "Kafka: the SASL mechanism.") var saslMechanism: KafkaSASLMechanism?
    @Option(name: .customLong("sasl-username"), help: "Kafka: SASL user name.") var saslUsername: String?
    @Option(name: .customLong("sasl-password"), help: "Kafka: SASL password (default: $SECSTREAM_SASL_PASSWORD).") var saslPassword: String?

    var clientOptions: KafkaClientOptions {
        var k = KafkaClientOptions()
        k.tls = tls; k.tlsCA = tlsCA; k.tlsCert = tlsCert; k.tlsKey = tlsKey
        k.tlsNoVerifyHostname = tlsNoVerifyHostname
        k.saslMechanism = saslMechanism; k.saslUsername = saslUsername; k.saslPassword = saslPassword
        return k
    }
}
