import Foundation
import TestSupport
import XCTest
@testable import Kafka

/// TLS (OpenSSL) against Tansu behind a mutual-TLS proxy
/// (tests/interop/kafka_tls_proxy.py): CA file, hostname verification and
/// client certificates. Certificates are generated per run with the openssl CLI.
final class KafkaTLSTests: XCTestCase {
    nonisolated(unsafe) static var broker: TansuBroker?
    nonisolated(unsafe) static var proxy: ServerProcess?
    nonisolated(unsafe) static var proxyPort = 0
    nonisolated(unsafe) static var dir = ""
    nonisolated(unsafe) static var startError: Error?

    static func run(_ args: [String], in dir: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw BrokerUnavailable("\(args.joined(separator: " ")) failed") }
    }

    /// CA, server certificate for DNS:localhost only, client certificate, and an unrelated CA.
    static func makeCertificates(_ dir: String) throws {
        let o = "openssl"
        try run([o, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=secstream-test-ca"], in: dir)
        try run([o, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "other.key", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=other-ca"], in: dir)
        try "subjectAltName=DNS:localhost\n".write(toFile: dir + "/server.ext", atomically: true, encoding: .utf8)
        for name in ["server", "client"] {
            try run([o, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name == "server" ? "localhost" : "client")"], in: dir)
            var sign = [o, "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "\(name).pem", "-days", "2"]
            if name == "server" { sign += ["-extfile", "server.ext"] }
            try run(sign, in: dir)
        }
    }

    override class func setUp() {
        super.setUp()
        do {
            dir = NSTemporaryDirectory() + "kafka-tls-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try makeCertificates(dir)
            // Tansu advertises the proxy's port, so both start again when another
            // process took that port before the proxy bound it.
            var taken: [Int] = []
            for _ in 0..<5 where proxy == nil {
                proxyPort = try TansuBroker.freePort()
                let b = try TansuBroker(advertise: "localhost:\(proxyPort)")
                let p = try ServerProcess(name: "kafka-tls-proxy", executable: TansuBroker.venv.appendingPathComponent("bin/python").path,
                                          arguments: [TansuBroker.packageRoot.appendingPathComponent("tests/interop/kafka_tls_proxy.py").path,
                                                      "\(proxyPort)", "\(b.port)", dir + "/server.pem", dir + "/server.key", dir + "/ca.pem"])
                if case .listening = try p.waitUntilListening(port: proxyPort, timeout: 30) {
                    broker = b
                    proxy = p
                } else {
                    taken.append(proxyPort)
                    p.stop()
                    b.stop()
                }
            }
            if proxy == nil { throw BrokerUnavailable("TLS proxy ports \(taken) were taken by other processes") }
        } catch {
            startError = error
        }
    }

    override class func tearDown() {
        proxy?.stop()
        proxy = nil
        broker?.stop()
        try? FileManager.default.removeItem(atPath: dir)
        super.tearDown()
    }

    func tlsConfig(host: String = "localhost", ca: String = "ca.pem", clientCert: Bool = true, verifyHostname: Bool = true) throws -> KafkaConfig {
        if let e = Self.startError { throw e }
        let d = Self.dir
        return try KafkaConfig(bootstrap: "\(host):\(Self.proxyPort)", connectTimeoutMs: 5_000, requestTimeoutMs: 5_000,
                               tls: TLSOptions(caFile: d + "/" + ca, certFile: clientCert ? d + "/client.pem" : nil,
                                               keyFile: clientCert ? d + "/client.key" : nil, verifyHostname: verifyHostname))
    }

    func testMutualTLSProduceConsumeRoundTrip() throws {
        let cfg = try tlsConfig()
        let topic = "tls-\(UInt32.random(in: 0...UInt32.max))"
        let producer = try KafkaProducer(config: cfg, options: ProducerOptions(compression: .gzip))
        try producer.createTopic(name: topic, partitions: 1)
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

    func testUntrustedCAIsRejected() throws {
        let cfg = try tlsConfig(ca: "other-ca.pem")
        XCTAssertThrowsError(try BrokerConnection(nodeId: -1, host: "localhost", port: Int32(Self.proxyPort), config: cfg)) {
            XCTAssertTrue("\($0)".contains("TLS handshake failed"), "\($0)")
            XCTAssertTrue("\($0)".contains("localhost:\(Self.proxyPort)"), "\($0)")
        }
    }

    func testHostnameVerification() throws {
        // The certificate names DNS:localhost only; 127.0.0.1 must not match.
        let strict = try tlsConfig(host: "127.0.0.1")
        XCTAssertThrowsError(try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: Int32(Self.proxyPort), config: strict)) {
            XCTAssertTrue("\($0)".contains("TLS handshake failed"), "\($0)")
        }
        let relaxed = try tlsConfig(host: "127.0.0.1", verifyHostname: false)
        XCTAssertNoThrow(try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: Int32(Self.proxyPort), config: relaxed).close())
    }

    func testMissingClientCertificateIsRefused() throws {
        let cfg = try tlsConfig(clientCert: false)
        XCTAssertThrowsError(try BrokerConnection(nodeId: -1, host: "localhost", port: Int32(Self.proxyPort), config: cfg))
    }
}
