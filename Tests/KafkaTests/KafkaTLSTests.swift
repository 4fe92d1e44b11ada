import Foundation
import TestSupport
import XCTest
@testable import Kafka

/// TLS (OpenSSL) against Tansu behind a mutual-TLS proxy
/// (`KafkaTLSProxy`: tests/interop/kafka_tls_proxy.py, certificates generated
/// per run with the openssl CLI, readiness checked before any test connects):
/// CA file, hostname verification and client certificates. Each refusal must
/// be the specific one the setup provokes, not just any error.
final class KafkaTLSTests: KafkaTLSProxyTestCase {

    func tlsConfig(host: String = "localhost", ca: String = "ca.pem", clientCert: Bool = true, verifyHostname: Bool = true) throws -> KafkaConfig {
        let proxy = try runningProxy()
        return try KafkaConfig(bootstrap: "\(host):\(proxy.port)", connectTimeoutMs: 5_000, requestTimeoutMs: 5_000,
                               tls: TLSOptions(caFile: proxy.file(ca), certFile: clientCert ? proxy.file("client.pem") : nil,
                                               keyFile: clientCert ? proxy.file("client.key") : nil, verifyHostname: verifyHostname))
    }

    var port: Int32 { Int32(Self.proxy?.port ?? 0) }

    func testMutualTLSProduceConsumeRoundTrip() throws {
        let cfg = try tlsConfig()
        let topic = "tls-\(UInt32.random(in: 0...UInt32.max))"
        let admin = KafkaAdmin(config: cfg)
        try admin.createTopic(name: topic, partitions: 1)
        admin.close()
        let producer = try KafkaProducer(config: cfg, options: ProducerOptions(compression: .gzip))
        for i in 0..<200 { try producer.send(topic: topic, key: [UInt8(i)], value: Array("secret-\(i)".utf8)) }
        try producer.flush(timeoutMs: 20_000)
        XCTAssertEqual(producer.deliveryStats.acked, 200)
        producer.close()
        let consumer = KafkaConsumer(config: cfg, options: ConsumerOptions(maxWaitMs: 100))
        defer { consumer.close() }
        try consumer.assign([TopicPartition(topic, 0): 0])
        var values: [String] = []
        let deadline = Date().addingTimeInterval(15)
        while values.count < 200 && Date() < deadline {
            for b in try consumer.poll(timeoutMs: 100) { values += b.records.map { String(decoding: $0.value!, as: UTF8.self) } }
        }
        XCTAssertEqual(values, (0..<200).map { "secret-\($0)" })
    }

    /// The exact refusal: which step failed, why, and that it is final (not retried).
    func assertRefused(_ cfg: KafkaConfig, host: String = "localhost", _ message: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try BrokerConnection(nodeId: -1, host: host, port: port, config: cfg), file: file, line: line) {
            XCTAssertEqual("\($0)", "kafka authentication failed: \(host):\(port): " + message, file: file, line: line)
            XCTAssertFalse(($0 as? KafkaError)?.isRetriable ?? true, "a refused certificate is not retried", file: file, line: line)
        }
    }

    func testUntrustedCAIsRejected() throws {
        // The proxy sends its chain up to the test CA, which other-ca.pem does not hold.
        assertRefused(try tlsConfig(ca: "other-ca.pem"), "TLS handshake failed: self-signed certificate in certificate chain")
    }

    func testHostnameVerification() throws {
        // The certificate names DNS:localhost only; 127.0.0.1 must not match.
        assertRefused(try tlsConfig(host: "127.0.0.1"), host: "127.0.0.1", "TLS handshake failed: IP address mismatch")
        let relaxed = try tlsConfig(host: "127.0.0.1", verifyHostname: false)
        XCTAssertNoThrow(try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: port, config: relaxed).close())
    }

    func testMissingClientCertificateIsRefused() throws {
        // TLS 1.3: the client's handshake completes, the proxy then rejects the
        // empty certificate with an alert, which the first request must report
        // (whether its write or its read meets the alert).
        for _ in 0..<10 {
            assertRefused(try tlsConfig(clientCert: false), "TLS session refused by the broker: tlsv13 alert certificate required")
        }
    }
}
