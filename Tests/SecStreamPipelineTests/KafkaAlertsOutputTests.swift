import Foundation
import Kafka
import TestSupport
import XCTest

/// `--alerts kafka://...` and `--dead-letter kafka://...` against Tansu: the
/// records equal a file run's lines (read by secstream's consumer and by
/// librdkafka), a consumer group that loses an instance to `kill -9` leaves
/// every alert in the topic exactly once, and bad output URIs fail clearly.
final class KafkaAlertsOutputTests: XCTestCase {
    /// One record as a test reads it back.
    struct Record {
        var partition: Int32
        var key: String?
        var value: String
        var source: String?
    }

    /// Every record of `topic`, read with secstream's own consumer in assign
    /// mode: up to the end the broker lists, then until a few polls bring nothing.
    static func readTopic(_ broker: TansuBroker, _ topic: String) throws -> [Record] {
        let config = try KafkaConfig(bootstrap: broker.bootstrap)
        let consumer = KafkaConsumer(config: config, options: ConsumerOptions(startPosition: .earliest, maxWaitMs: 100))
        defer { consumer.close() }
        let count = try consumer.cluster.partitionCount(topic)
        var all: [TopicPartition: Int64?] = [:]
        for p in 0..<count { all[TopicPartition(topic, Int32(p))] = .some(nil) }
        try consumer.assign(all)
        let ends = try consumer.listOffsets(Array(all.keys), .latest)
        var out: [Record] = []
        var quiet = 0
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let batches = try consumer.poll(timeoutMs: 200)
            for batch in batches {
                for r in batch.records {
                    out.append(Record(partition: batch.partition, key: r.key.map { String(decoding: $0, as: UTF8.self) },
                                      value: String(decoding: r.value ?? [], as: UTF8.self),
                                      source: r.headers.first { $0.key == "secstream.source" }?.value.map { String(decoding: $0, as: UTF8.self) }))
                }
            }
            let reachedEnd = ends.allSatisfy { (consumer.position($0.key) ?? 0) >= $0.value }
            quiet = batches.isEmpty ? quiet + 1 : 0
            if reachedEnd && quiet >= 3 { return out }
        }
        throw KafkaTestFailure("\(topic) not read to its end within 30 s")
    }

    static func alertID(_ json: String) -> String? {
        json.firstMatch(of: /"alert_id":"([0-9a-f]+)"/).map { String($0.1) }
    }

    private func createTopic(_ broker: TansuBroker, _ topic: String, partitions: Int) throws {
        let r = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", topic, "--create-topic",
                             "--partitions", String(partitions)], stdin: Data())
        XCTAssertEqual(r.code, 0, r.stderr)
    }

    func testAlertsAndDeadLettersToTopicsAreTheFileRunsLinesKeyedByIdAndLocation() throws {
        let broker = try TansuBroker()
        let dir = try TempDir()
        let events = dir.path("events.ndjson")
        let g = try CLI.run(["generate", "--events", "30000", "--seed", "11", "--span", "1h", "--malformed-fraction", "0.002",
                             "-o", events])
        XCTAssertEqual(g.code, 0, g.stderr)
        let reference = try CLI.run(["process", "--input", events, "--alerts", dir.path("ref.alerts"),
                                     "--dead-letter", dir.path("ref.dead")])
        XCTAssertEqual(reference.code, 0, reference.stderr)
        let refAlerts = try String(contentsOfFile: dir.path("ref.alerts"), encoding: .utf8).split(separator: "\n").map(String.init)
        let refDead = try String(contentsOfFile: dir.path("ref.dead"), encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(refAlerts.count, 10)
        XCTAssertGreaterThan(refDead.count, 10, "the input has malformed and late lines")

        try createTopic(broker, "alerts", partitions: 3)
        try createTopic(broker, "dlq", partitions: 2)
        let r = try CLI.run(["process", "--input", events, "--alerts", "kafka://\(broker.bootstrap)/alerts?compression=lz4",
                             "--dead-letter", "kafka://\(broker.bootstrap)/dlq"])
        XCTAssertEqual(r.code, 0, r.stderr)

        let alerts = try Self.readTopic(broker, "alerts")
        XCTAssertEqual(alerts.map(\.value).sorted(), refAlerts.sorted(), "one record per alert line, byte for byte")
        for a in alerts {
            XCTAssertEqual(a.key, Self.alertID(a.value), "keyed by alert_id")
            XCTAssertNil(a.source, "file input: no source partition header")
        }
        XCTAssertGreaterThan(Set(alerts.map(\.partition)).count, 1, "keys spread over the partitions")
        let dead = try Self.readTopic(broker, "dlq")
        XCTAssertEqual(dead.map(\.value).sorted(), refDead.sorted())
        for d in dead {
            let object = try JSONSerialization.jsonObject(with: Data(d.value.utf8)) as! [String: Any]
            XCTAssertEqual(d.key, "\(object["source"] as! String):\(object["line"] as! Int)", "keyed by location")
        }

        // librdkafka reads the same records and keys.
        let out = try broker.python("""
        import json, os
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": os.environ["BOOTSTRAP"], "group.id": "check", "enable.auto.commit": False})
        c.assign([TopicPartition("alerts", p, 0) for p in range(3)])
        got, idle = [], 0
        while idle < 6:
            m = c.poll(0.5)
            if m is None: idle += 1; continue
            if m.error(): raise SystemExit(str(m.error()))
            got.append([m.key().decode(), json.loads(m.value())["alert_id"]])
            idle = 0
        c.close()
        print(json.dumps(got))
        """)
        let pairs = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [[String]]
        XCTAssertEqual(pairs.map { $0[1] }.sorted(), refAlerts.compactMap(Self.alertID).sorted())
        XCTAssertTrue(pairs.allSatisfy { $0[0] == $0[1] })

        // A topic that does not exist: exit 4 naming it, nothing auto-created.
        let missing = try CLI.run(["process", "--input", events, "--alerts", "kafka://\(broker.bootstrap)/nosuch"])
        XCTAssertEqual(missing.code, 4, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("--alerts kafka://\(broker.bootstrap)/nosuch"), missing.stderr)
    }

    func testKillNineOfOneGroupMemberLeavesEveryAlertOnceInTheAlertsTopic() throws {
        let broker = try TansuBroker()
        let dir = try TempDir()
        let data = try KafkaGroupTestData(dir)
        let (reference, lines) = (data.reference, data.lines)
        let half = lines.count / 2
        let rest = Array(lines[half...])
        let pieceSize = (rest.count + 2) / 3
        var pieces: [String] = []
        for i in 0..<3 {
            let path = dir.path("piece\(i).ndjson")
            let slice = rest[min(rest.count, i * pieceSize)..<min(rest.count, (i + 1) * pieceSize)]
            try (slice.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            pieces.append(path)
        }
        let first = dir.path("first.ndjson")
        try (lines[..<half].joined(separator: "\n") + "\n").write(toFile: first, atomically: true, encoding: .utf8)
        func ingest(_ path: String, create: Bool = false) throws {
            var args = ["ingest", "--brokers", broker.bootstrap, "--topic", "events", "--key", "source.ip"]
            if create { args += ["--create-topic", "--partitions", "4"] }
            let r = try CLI.run(args + [path])
            XCTAssertEqual(r.code, 0, r.stderr)
        }
        try ingest(first, create: true)
        try createTopic(broker, "alerts", partitions: 3)
        let base = ["process", "--input", "kafka://\(broker.bootstrap)/events?group=crash", "--from-beginning",
                    "--alerts", "kafka://\(broker.bootstrap)/alerts", "--session-timeout", "2s"]

        // A checkpoints only when partitions move (a commit interval it never
        // reaches): every alert it writes after B joins is past its last
        // checkpoint, and only the alerts topic knows about it after the kill.
        let a = try BackgroundCLI(base + ["--commit-interval", "1h", "--follow"], stderrFile: dir.path("a.err"),
                                  readyFile: dir.path("a.ready"))
        let firstHalf = try topicEnds(broker, "events")
        try a.waitReady("A read the first half") { $0.caughtUp(to: firstHalf, partitions: [0, 1, 2, 3]) }
        // B ends by itself once nothing new arrived for 15 s: it idles while
        // the test waits for A's alerts and kills A (a slow machine must not end it early).
        let b = try BackgroundCLI(base + ["--commit-interval", "300ms", "--until-idle", "15s"], stderrFile: dir.path("b.err"),
                                  readyFile: dir.path("b.ready"))
        try b.waitReady("A and B with two partitions each") {
            try a.checkRunning("A")
            return a.readyEvents.assignedPartitions.count == 2 && $0.assignedPartitions.count == 2
        }
        let ofA = Set(a.readyEvents.assignedPartitions.map { "events/\($0)" })
        let atSplit = try Self.readTopic(broker, "alerts").filter { $0.source.map(ofA.contains) ?? false }.count

        // A writes alerts of its two partitions from the next piece, then dies.
        try ingest(pieces[0])
        try a.waitFor("A's alerts from after its last checkpoint in the alerts topic") {
            try Self.readTopic(broker, "alerts").filter { $0.source.map(ofA.contains) ?? false }.count > atSplit
        }
        a.signal(SIGKILL)
        a.wait(timeout: 10)
        for piece in pieces.dropFirst() { try ingest(piece) }

        XCTAssertEqual(b.wait(timeout: 120), 0, b.stderr)
        XCTAssertEqual(b.readyEvents.assignedPartitions, [0, 1, 2, 3], b.stderr)
        let readBack = b.stderr.matches(of: /(\d+) alerts of partitions [0-9,]+ already in alerts topic alerts/).map { Int($0.1)! }
        XCTAssertGreaterThan(readBack.reduce(0, +), 0, "B found A's alerts from after its checkpoint in the topic: \(b.stderr)")
        XCTAssertTrue(b.stderr.contains("already written before a restart or rebalance"), b.stderr)

        let got = try Self.readTopic(broker, "alerts").compactMap { Self.alertID($0.value) }
        XCTAssertEqual(got.count, Set(got).count, "no alert written twice: \(Dictionary(grouping: got) { $0 }.filter { $0.value.count > 1 }.keys)")
        XCTAssertEqual(Set(got), Set(reference), "missing: \(Set(reference).subtracting(got)), extra: \(Set(got).subtracting(reference))")
    }

    /// The broker stops answering (SIGSTOP: a hung broker; a SIGTERM'd Tansu
    /// would wait for its clients to go) after the alerts topic was opened:
    /// the alerts found later cannot be delivered, and after the delivery
    /// timeout (30 s) the run exits 4 with one line naming the alerts topic
    /// (the test gives it 90 s: a run that hangs fails, a slow one does not).
    func testBrokerHungMidRunExitsFourNamingTheAlertsTopic() throws {
        let broker = try TansuBroker()
        let dir = try TempDir()
        let create = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "alerts", "--create-topic", "--partitions", "1"],
                                 stdin: Data())
        XCTAssertEqual(create.code, 0, create.stderr)
        let events = dir.path("events.ndjson")
        XCTAssertEqual(try CLI.run(["generate", "--events", "20000", "--seed", "4", "-o", events]).code, 0)
        let plain = try CLI.run(["process", "--input", events, "--alerts", dir.path("plain.alerts")])
        XCTAssertGreaterThan(try alertIDs(dir.path("plain.alerts")).count, 0, plain.stderr)
        let live = dir.path("live.ndjson")
        FileManager.default.createFile(atPath: live, contents: nil)
        let uri = "kafka://\(broker.bootstrap)/alerts"
        let run = try BackgroundCLI(["process", "--input", live, "--follow", "--alerts", uri],
                                    stderrFile: dir.path("run.err"), readyFile: dir.path("run.ready"))
        // The alerts topic is opened (connected, topic found) before the input is followed; nothing to send yet.
        try run.waitReady("following \(live)") { $0.following(live) == 1 }
        broker.pause()
        try append(try Data(contentsOf: URL(fileURLWithPath: events)), to: live)
        XCTAssertEqual(run.wait(timeout: 90), 4, run.stderr)
        let errorLines = run.stderr.split(separator: "\n").filter { !$0.contains(" lines (") }
        XCTAssertEqual(errorLines.count, 1, run.stderr)
        XCTAssertTrue(errorLines.first?.hasPrefix("secstream: --alerts \(uri): ") == true, run.stderr)
    }

    func testUnreachableAlertsBrokerExitsFourPromptlyAndGroupOnAnOutputIsAUsageError() throws {
        let dir = try TempDir()
        let events = dir.path("events.ndjson")
        XCTAssertEqual(try CLI.run(["generate", "--events", "2000", "-o", events]).code, 0)
        let port = try FreePort.allocate()
        for flag in ["--alerts", "--dead-letter"] {
            // It gives up by itself (a run that retried forever would be killed at the deadline and fail).
            let run = try BackgroundCLI(["process", "--input", events, flag, "kafka://127.0.0.1:\(port)/x"],
                                        stderrFile: dir.path("unreachable\(flag).err"))
            let r = (code: run.wait(timeout: 60), stderr: run.stderr)
            XCTAssertEqual(r.code, 4, r.stderr)
            let errorLines = r.stderr.split(separator: "\n").filter { $0.contains("kafka://127.0.0.1:\(port)/x") }
            XCTAssertEqual(errorLines.count, 1, r.stderr)
            XCTAssertTrue(errorLines[0].hasPrefix("secstream: \(flag) kafka://"), r.stderr)
        }
        let group = try CLI.run(["process", "--input", events, "--alerts", "kafka://127.0.0.1:\(port)/x?group=g"])
        XCTAssertEqual(group.code, 2, group.stderr)
        XCTAssertTrue(group.stderr.contains("group="), group.stderr)
        try FileManager.default.createDirectory(atPath: dir.path("archive"), withIntermediateDirectories: true)
        let replay = try CLI.run(["replay", dir.path("archive"), "--dead-letter", "kafka://127.0.0.1:\(port)/x?group=g"])
        XCTAssertEqual(replay.code, 2, replay.stderr)
        let badCodec = try CLI.run(["process", "--input", events, "--alerts", "kafka://127.0.0.1:\(port)/x?compression=brotli"])
        XCTAssertEqual(badCodec.code, 2, badCodec.stderr)
        let inputCodec = try CLI.run(["process", "--input", "kafka://127.0.0.1:\(port)/x?compression=lz4"])
        XCTAssertEqual(inputCodec.code, 2, inputCodec.stderr)
    }
}
