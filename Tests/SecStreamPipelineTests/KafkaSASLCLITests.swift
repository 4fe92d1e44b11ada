import Foundation
import Kafka
import KafkaTestSupport
import TestSupport
import XCTest

/// The CLI's SASL flags (`--sasl-mechanism`, `--sasl-username`,
/// `--sasl-password`, `$SECSTREAM_SASL_PASSWORD`) through `secstream ingest`
/// and `secstream process --alerts kafka://…`, against a scripted broker with
/// a SASL listener: it drops any connection that sends a request before
/// authenticating, checks PLAIN credentials itself and runs the SCRAM server
/// side with Python's `scramp`, an implementation independent of the client's.
/// The records the broker received are decoded and compared with the input.
final class KafkaSASLCLITests: XCTestCase {
    /// A broker offering PLAIN and both SCRAM mechanisms for user alice with
    /// `password`, holding one-partition topics `events` and `alerts`; it
    /// acknowledges every Produce and keeps the record values per topic.
    final class SASLBroker: @unchecked Sendable {
        var broker: ScriptedBroker!
        let lock = NSLock()
        var values: [String: [String]] = [:]
        var nextOffset: [String: Int64] = [:]

        init(password: String) throws {
            try PythonVenv.requireVenv()
            let python = PythonVenv.python, script = TestPaths.packageRoot + "/tests/interop/scram_server.py"
            let sasl = SASLServer(mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]) { mechanism in
                if mechanism == "PLAIN" { return PlainServerExchange(username: "alice", password: password) }
                return try? ScrampServerExchange(python: python, script: script, mechanism: mechanism,
                                                 username: "alice", password: password)
            }
            broker = try ScriptedBroker(sasl: sasl) { [unowned self] api, _, body in
                switch api {
                case .metadata: return broker.metadataResponse(topics: [("events", 1), ("alerts", 1)])
                case .initProducerId:
                    var w = WireWriter()
                    w.int32(0); w.int16(0); w.int64(4242); w.int16(0)
                    return w.bytes
                case .produce: return produce(body)
                default: return nil
                }
            }
        }

        /// Produce v3: decodes every partition's record batch and answers success.
        func produce(_ body: [UInt8]) -> [UInt8]? {
            var batches: [(String, [UInt8])] = []
            body.withUnsafeBytes { raw in
                var r = WireReader(raw)
                _ = r.nullableString(flexible: false); _ = r.int16(); _ = r.int32()
                for _ in 0..<r.count(flexible: false) {
                    let topic = r.string(flexible: false)
                    for _ in 0..<r.count(flexible: false) {
                        _ = r.int32()
                        if let range = r.bytesRange(flexible: false) { batches.append((topic, Array(raw[range]))) }
                    }
                }
            }
            lock.lock(); defer { lock.unlock() }
            var base: Int64 = 0
            for (topic, bytes) in batches {
                guard let decoded = try? RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: topic, partition: 0,
                                                                   fromOffset: 0, highWatermark: Int64.max) else { return nil }
                base = nextOffset[topic, default: 0]
                for record in decoded.flatMap(\.records) {
                    values[topic, default: []].append(String(decoding: record.value ?? [], as: UTF8.self))
                    nextOffset[topic, default: 0] += 1
                }
            }
            return ScriptedBroker.produceResponse(request: body, error: .none, baseOffset: base)
        }

        func received(_ topic: String) -> [String] { lock.lock(); defer { lock.unlock() }; return values[topic] ?? [] }
        func stop() { broker.stop() }
    }

    /// Events built here (not by the generator): valid lines the broker must receive byte for byte.
    private func events(_ n: Int, sources: Int = 50) -> [String] {
        (0..<n).map { i in
            #"{"@timestamp":"2026-11-20T10:\#(String(format: "%02d", i / 60 % 60)):\#(String(format: "%02d", i % 60)).000Z","event":{"dataset":"auth","category":"authentication","outcome":"failure"},"user":{"name":"u\#(i % 7)"},"source":{"ip":"10.0.0.\#(i % sources)"},"n":\#(i)}"#
        }
    }

    func testIngestAuthenticatesWithEveryMechanismThroughTheCLIFlags() throws {
        let dir = try TempDir()
        let lines = events(300)
        let input = dir.path("events.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        for mechanism in ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] {
            let server = try SASLBroker(password: "s3cret=,pw")
            defer { server.stop() }
            let r = try CLI.run(["ingest", "--brokers", server.broker.bootstrap, "--topic", "events", "--key", "source.ip",
                                 "--sasl-mechanism", mechanism, "--sasl-username", "alice", "--sasl-password", "s3cret=,pw", input])
            XCTAssertEqual(r.code, 0, "\(mechanism): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("300 sent, 300 acked, 0 failed"), "\(mechanism): \(r.stderr)")
            XCTAssertEqual(server.received("events"), lines, "\(mechanism): every line, in order, byte for byte")
            let authenticated = server.broker.authenticated
            XCTAssertFalse(authenticated.isEmpty, mechanism)
            XCTAssertEqual(Set(authenticated), [mechanism], "every connection authenticated with \(mechanism)")
            XCTAssertEqual(server.broker.authenticationFailures, [], mechanism)
            XCTAssertEqual(server.broker.unauthenticatedRequests, [], "\(mechanism): nothing was sent before authenticating")
        }
    }

    func testWrongPasswordFailsWithOneClearLineAndTheEnvironmentPasswordWorks() throws {
        let dir = try TempDir()
        let lines = events(20)
        let input = dir.path("events.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        for mechanism in ["PLAIN", "SCRAM-SHA-512"] {
            let server = try SASLBroker(password: "right")
            defer { server.stop() }
            let r = try CLI.run(["ingest", "--brokers", server.broker.bootstrap, "--topic", "events",
                                 "--sasl-mechanism", mechanism, "--sasl-username", "alice", "--sasl-password", "wrong", input])
            XCTAssertEqual(r.code, 4, "\(mechanism): a remote failure: \(r.stderr)")
            let errorLines = r.stderr.split(separator: "\n").filter { $0.contains("authentication failed") }
            XCTAssertEqual(errorLines.count, 1, "\(mechanism): one clear line: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("invalid credentials with SASL mechanism \(mechanism)"), r.stderr)
            XCTAssertEqual(server.received("events"), [], mechanism)
            XCTAssertEqual(server.broker.authenticated, [], mechanism)
            XCTAssertFalse(server.broker.authenticationFailures.isEmpty, mechanism)
        }
        // The password from $SECSTREAM_SASL_PASSWORD when --sasl-password is absent.
        let server = try SASLBroker(password: "from-env")
        defer { server.stop() }
        var environment = ProcessInfo.processInfo.environment
        environment["SECSTREAM_SASL_PASSWORD"] = "from-env"
        let r = try CLI.run(["ingest", "--brokers", server.broker.bootstrap, "--topic", "events",
                             "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-username", "alice", input], environment: environment)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(server.received("events"), lines)
        XCTAssertEqual(Set(server.broker.authenticated), ["SCRAM-SHA-256"])
    }

    /// `process` writes its alerts to Kafka through SCRAM-SHA-512: the broker
    /// receives exactly the alerts a run with a file output writes.
    func testProcessWritesAlertsToKafkaThroughSCRAM() throws {
        let dir = try TempDir()
        // One failed login a second from three addresses in rotation: 20 a
        // minute from each, which the brute-force rule (>= 20 in a clock minute) reports.
        let lines = events(600, sources: 3)
        let input = dir.path("events.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let file = try CLI.run(["process", "--input", input, "--alerts", dir.path("alerts.ndjson")])
        XCTAssertEqual(file.code, 0, file.stderr)
        let expected = try String(contentsOfFile: dir.path("alerts.ndjson"), encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(expected.count, 0, "the input must raise alerts: \(file.stderr)")

        let server = try SASLBroker(password: "pw")
        defer { server.stop() }
        let r = try CLI.run(["process", "--input", input, "--alerts", "kafka://\(server.broker.bootstrap)/alerts",
                             "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "alice", "--sasl-password", "pw"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(server.received("alerts").sorted(), expected.sorted())
        XCTAssertEqual(Set(server.broker.authenticated), ["SCRAM-SHA-512"])
        XCTAssertEqual(server.broker.unauthenticatedRequests, [])
    }
}
