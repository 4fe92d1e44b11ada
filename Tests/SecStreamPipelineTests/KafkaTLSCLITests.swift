import Foundation
import TestSupport
import XCTest

/// The CLI's TLS flags (`--tls`, `--tls-ca`, `--tls-cert`, `--tls-key`,
/// `--tls-no-verify-hostname`) through `secstream ingest` and `secstream
/// process` against Tansu behind a mutual-TLS proxy (`KafkaTLSProxy`: test PKI
/// made with the openssl CLI, the proxy's readiness checked before any test
/// runs). What ingest wrote is read back by librdkafka (confluent-kafka) over
/// its own TLS; what process consumed is compared with the input lines and
/// with the alerts of a file run.
final class KafkaTLSCLITests: KafkaTLSProxyTestCase {

    func tlsFlags(_ proxy: KafkaTLSProxy, ca: String = "ca.pem") -> [String] {
        ["--tls-ca", proxy.file(ca), "--tls-cert", proxy.file("client.pem"), "--tls-key", proxy.file("client.key")]
    }

    /// librdkafka reads every value of `topic` through the TLS proxy, with its own TLS stack.
    func librdkafkaValues(_ proxy: KafkaTLSProxy, topic: String, partitions: Int, expect: Int) throws -> [String] {
        let out = try proxy.broker.python("""
        import json, sys
        from confluent_kafka import Consumer, TopicPartition
        bootstrap, ca, cert, key, topic, partitions, expect = sys.argv[1:8]
        c = Consumer({"bootstrap.servers": bootstrap, "security.protocol": "SSL", "ssl.ca.location": ca,
                      "ssl.certificate.location": cert, "ssl.key.location": key,
                      "group.id": "tls-check", "enable.auto.commit": False})
        c.assign([TopicPartition(topic, p, 0) for p in range(int(partitions))])
        got = []
        idle = 0
        while len(got) < int(expect) and idle < 40:
            m = c.poll(0.5)
            if m is None: idle += 1; continue
            if m.error(): raise SystemExit(str(m.error()))
            got.append(m.value().decode())
        c.close()
        print(json.dumps(got))
        """, arguments: [proxy.bootstrap, proxy.file("ca.pem"), proxy.file("client.pem"), proxy.file("client.key"),
                         topic, String(partitions), String(expect)])
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String])
    }

    func testIngestAndProcessOverMutualTLSEndToEnd() throws {
        let proxy = try runningProxy()
        let dir = try TempDir()
        let input = dir.path("events.ndjson")
        let generated = try CLI.run(["generate", "--events", "6000", "--seed", "5", "--start", "2026-11-20T10:00:00Z",
                                     "--span", "40m", "-o", input])
        XCTAssertEqual(generated.code, 0, generated.stderr)
        let lines = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 6000)

        let ingest = try CLI.run(["ingest", "--brokers", proxy.bootstrap, "--topic", "tls-events", "--key", "source.ip",
                                  "--create-topic", "--partitions", "3", "--compression", "lz4"] + tlsFlags(proxy) + [input])
        XCTAssertEqual(ingest.code, 0, ingest.stderr)
        XCTAssertTrue(ingest.stderr.contains("6000 sent, 6000 acked, 0 failed"), ingest.stderr)
        XCTAssertEqual(try librdkafkaValues(proxy, topic: "tls-events", partitions: 3, expect: lines.count).sorted(), lines.sorted(),
                       "librdkafka reads every line, byte for byte, through TLS")

        // process consumes the topic through TLS (as a consumer group) and
        // archives what it read: exactly the input lines, with the alerts of
        // a run over the file.
        let consumed = try CLI.run(["process", "--input", "kafka://\(proxy.bootstrap)/tls-events?group=tls-cli", "--from-beginning",
                                    "--until-idle", "3s", "--session-timeout", "3s", "--alerts", dir.path("kafka-alerts.ndjson"),
                                    "--archive", dir.path("archive")] + tlsFlags(proxy))
        XCTAssertEqual(consumed.code, 0, consumed.stderr)
        let archived = try CLI.run(["query", dir.path("archive")])
        XCTAssertEqual(archived.code, 0, archived.stderr)
        XCTAssertEqual(archived.stdoutLines.sorted(), lines.sorted(), "every consumed event, once")
        let file = try CLI.run(["process", "--input", input, "--alerts", dir.path("file-alerts.ndjson")])
        XCTAssertEqual(file.code, 0, file.stderr)
        let expectedAlerts = try alertIDs(dir.path("file-alerts.ndjson")).sorted()
        XCTAssertGreaterThan(expectedAlerts.count, 0, "the generated attacks raise alerts: \(file.stderr)")
        XCTAssertEqual(try alertIDs(dir.path("kafka-alerts.ndjson")).sorted(), expectedAlerts)

        // The broker certificate names localhost only: dialling 127.0.0.1
        // fails verification unless --tls-no-verify-hostname says otherwise.
        let byAddress = "127.0.0.1:\(proxy.port)"
        let started = Date()
        let strict = try CLI.run(["ingest", "--brokers", byAddress, "--topic", "tls-events"] + tlsFlags(proxy) + [input])
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "a certificate for another name is not retried")
        XCTAssertEqual(strict.code, 4, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("\(byAddress): TLS handshake failed: IP address mismatch"), strict.stderr)
        let relaxed = try CLI.run(["ingest", "--brokers", byAddress, "--topic", "tls-events", "--tls-no-verify-hostname"]
                                  + tlsFlags(proxy) + [input])
        XCTAssertEqual(relaxed.code, 0, relaxed.stderr)
        XCTAssertTrue(relaxed.stderr.contains("6000 sent, 6000 acked, 0 failed"), relaxed.stderr)
    }

    /// Refusals through the CLI, each with exit 4 and one line naming the
    /// broker and the reason, at once (a refused certificate is not retried).
    func testWrongCAMissingClientCertificateAndSystemTrustAreRefusedClearly() throws {
        let proxy = try runningProxy()
        let dir = try TempDir()
        let input = dir.path("one.ndjson")
        try #"{"@timestamp":"2026-11-20T10:00:00Z","event":{"dataset":"auth"}}"#.appending("\n")
            .write(toFile: input, atomically: true, encoding: .utf8)
        func refused(_ flags: [String], reason: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let started = Date()
            let r = try CLI.run(["ingest", "--brokers", proxy.bootstrap, "--topic", "tls-refused"] + flags + [input])
            XCTAssertLessThan(Date().timeIntervalSince(started), 20, "no retries for a refused certificate: \(r.stderr)", file: file, line: line)
            XCTAssertEqual(r.code, 4, r.stderr, file: file, line: line)
            let lines = r.stderr.split(separator: "\n")
            let reasonLines = lines.filter { $0.contains(reason) }
            XCTAssertEqual(reasonLines.count, 1, "one clear line with '\(reason)': \(r.stderr)", file: file, line: line)
            XCTAssertTrue(reasonLines.first?.contains(proxy.bootstrap) == true, r.stderr, file: file, line: line)
        }
        // A CA that did not sign the broker certificate.
        try refused(tlsFlags(proxy, ca: "other-ca.pem"), reason: "TLS handshake failed: self-signed certificate in certificate chain")
        // The system trust store does not know the test CA either.
        try refused(["--tls", "--tls-cert", proxy.file("client.pem"), "--tls-key", proxy.file("client.key")],
                    reason: "TLS handshake failed: self-signed certificate in certificate chain")
        // The proxy requires a client certificate (TLS 1.3: its alert arrives after the client's handshake).
        try refused(["--tls-ca", proxy.file("ca.pem")], reason: "TLS session refused by the broker: tlsv13 alert certificate required")
    }
}
