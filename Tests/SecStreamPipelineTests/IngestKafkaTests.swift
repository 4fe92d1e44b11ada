import Foundation
import KafkaTestSupport
import TestSupport
import XCTest

/// `secstream ingest` against a real broker (Tansu), checked with confluent-kafka.
final class IngestKafkaTests: XCTestCase {
    private func event(_ i: Int, ip: String?) -> String {
        let source = ip.map { #","source":{"ip":"\#($0)"}"# } ?? ""
        return #"{"@timestamp":"2026-11-20T10:00:\#(String(format: "%02d", i % 60)).000Z","event":{"dataset":"auth"},"n":\#(i)\#(source)}"#
    }

    func testKeyedRecordsLandOnMurmur2PartitionsAndTheSummaryCountsMalformedLines() throws {
        let broker = try TansuBroker()
        let dir = try TempDir()
        var lines: [String] = []
        for i in 0..<400 { lines.append(event(i, ip: i % 10 == 9 ? nil : "10.0.\(i % 7).\(i % 31)")) }
        lines.append(event(400, ip: #"10.9.9.\u0039"#))   // escaped key: keyed by its decoded text "10.9.9.9"
        lines.insert("not json at all", at: 10)            // line 11
        lines.insert(#"{"truncated":"#, at: 50)            // line 51
        lines.insert("[1,2]", at: 100)                     // line 101: JSON, but not an object
        lines.insert("", at: 200)                          // line 201: blank, skipped
        let input = dir.path("events.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let valid = 401

        let r = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "keyed", "--key", "source.ip",
                             "--create-topic", "--partitions", "6", "--compression", "lz4",
                             "--dead-letter", dir.path("dl.ndjson"), input])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(valid) sent, \(valid) acked, 0 failed, 3 malformed, 1 blank"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(input):11: malformed event"), r.stderr)
        let dead = try readNDJSON(dir.path("dl.ndjson"))
        XCTAssertEqual(dead.map { $0["line"] as! Int }, [11, 51, 101])
        XCTAssertEqual(dead[0]["raw"] as? String, "not json at all")

        let created = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "murmur", "--create-topic",
                                   "--partitions", "6"], stdin: Data())
        XCTAssertEqual(created.code, 0, created.stderr)
        // Read everything back, then let librdkafka's murmur2 partitioner (the
        // Java client's) place the same keys: every keyed record must agree.
        let out = try broker.python("""
        import json, os
        from confluent_kafka import Consumer, Producer, TopicPartition
        bs = os.environ["BOOTSTRAP"]
        c = Consumer({"bootstrap.servers": bs, "group.id": "check", "enable.auto.commit": False})
        c.assign([TopicPartition("keyed", p, 0) for p in range(6)])
        got = []
        idle = 0
        while len(got) < \(valid) and idle < 20:
            m = c.poll(0.5)
            if m is None: idle += 1; continue
            if m.error(): raise SystemExit(str(m.error()))
            got.append((m.key().decode() if m.key() is not None else None, m.partition(), m.value().decode()))
        c.close()
        p = Producer({"bootstrap.servers": bs, "partitioner": "murmur2_random"})
        placed = {}
        def report(err, msg):
            if err: raise SystemExit(str(err))
            placed[msg.key().decode()] = msg.partition()
        for key in sorted({k for k, _, _ in got if k is not None}):
            p.produce("murmur", key=key.encode(), value=b"x", on_delivery=report)
        p.flush(30)
        print(json.dumps({"records": got, "murmur2": placed}))
        """)
        let result = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        let records = result["records"] as! [[Any]]
        let murmur = result["murmur2"] as! [String: Int]
        XCTAssertEqual(records.count, valid, "every valid line is one record")
        var keyed = 0
        for rec in records {
            guard let key = rec[0] as? String else { continue }
            keyed += 1
            XCTAssertEqual(rec[1] as? Int, murmur[key], "key \(key)")
        }
        XCTAssertEqual(keyed, 361, "lines without source.ip are sent unkeyed")
        XCTAssertEqual(Set(murmur.values).count, 6, "the keys spread over all partitions")
        XCTAssertNotNil(murmur["10.9.9.9"], "an escaped key is the decoded string")
        let values = Set(records.map { $0[2] as! String })
        XCTAssertTrue(values.contains(lines[0]) && values.contains(lines.last!), "values are the lines, byte for byte")
    }

    func testSnappyAndZstdIngestAreReadIntactByLibrdkafka() throws {
        let broker = try TansuBroker()
        let lines = (0..<500).map { event($0, ip: "10.1.\($0 % 5).\($0 % 17)") }
        let input = Data((lines.joined(separator: "\n") + "\n").utf8)
        for codec in ["snappy", "zstd"] {
            let r = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", codec, "--key", "source.ip",
                                 "--create-topic", "--partitions", "3", "--compression", codec], stdin: input)
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertTrue(r.stderr.contains("500 sent, 500 acked, 0 failed"), r.stderr)
            let out = try broker.python("""
            import json, os
            from confluent_kafka import Consumer, TopicPartition
            c = Consumer({"bootstrap.servers": os.environ["BOOTSTRAP"], "group.id": "check", "enable.auto.commit": False})
            c.assign([TopicPartition("\(codec)", p, 0) for p in range(3)])
            got = []
            idle = 0
            while len(got) < 500 and idle < 20:
                m = c.poll(0.5)
                if m is None: idle += 1; continue
                if m.error(): raise SystemExit(str(m.error()))
                got.append(m.value().decode())
            c.close()
            print(json.dumps(got))
            """)
            let got = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String]
            XCTAssertEqual(got.sorted(), lines.sorted(), "\(codec): every line, byte for byte")
        }
        let bad = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "x", "--compression", "brotli"], stdin: Data())
        XCTAssertEqual(bad.code, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("'brotli' is invalid for '--compression"), bad.stderr)
        XCTAssertTrue(["'none'", "'gzip'", "'snappy'", "'lz4'", "'zstd'"].allSatisfy(bad.stderr.contains), bad.stderr)
    }

    func testZstdAgainstABrokerWithoutProduceV7ExitsFourBeforeSendingAnything() throws {
        // A scripted broker offering Produce v3 only, as Kafka before 2.1 does.
        let broker = try ScriptedBroker { _, _, _ in nil }
        defer { broker.stop() }
        let r = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "t", "--compression", "zstd"],
                            stdin: Data((event(0, ip: "10.0.0.1") + "\n").utf8))
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("zstd compression needs Produce v7 (Kafka 2.1 or later); broker \(broker.bootstrap) supports Produce up to v3"),
                      r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
        XCTAssertEqual(broker.count(.produce), 0)
    }

    func testBrokerStoppedDuringIngestExitsFourAndEveryAckedRecordIsInTheTopic() throws {
        let broker = try TansuBroker()
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["ingest", "--brokers", broker.bootstrap, "--topic", "t", "--create-topic", "--partitions", "3",
                       "--key", "source.ip", "--delivery-timeout", "3s"]
        let inp = Pipe(), err = Pipe()
        p.standardInput = inp
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let first = (0..<2000).map { event($0, ip: "10.1.\($0 % 5).\($0 % 13)") }.joined(separator: "\n") + "\n"
        inp.fileHandleForWriting.write(Data(first.utf8))
        // Let the first records be acknowledged, then stop the broker and send more.
        XCTAssertTrue(try waitUntil(timeout: 15) { try self.topicCount(broker) >= 2000 }, "the first records reached the broker")
        broker.pause()
        let second = (2000..<3000).map { event($0, ip: "10.2.\($0 % 5).\($0 % 13)") }.joined(separator: "\n") + "\n"
        inp.fileHandleForWriting.write(Data(second.utf8))
        try inp.fileHandleForWriting.close()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let stderr = String(decoding: stderrData, as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 4, stderr)
        XCTAssertTrue(stderr.contains("3000 sent"), stderr)
        let acked = try XCTUnwrap(Int(stderr.firstMatch(of: /(\d+) acked/)?.1 ?? ""), stderr)
        XCTAssertGreaterThanOrEqual(acked, 2000)
        XCTAssertLessThan(acked, 3000)
        XCTAssertTrue(stderr.contains("\(3000 - acked) of 3000 records were not acknowledged"), stderr)
        broker.resume()
        XCTAssertGreaterThanOrEqual(try topicCount(broker), acked, "every record reported acked is in the topic")
    }

    private func topicCount(_ broker: TansuBroker) throws -> Int {
        // Counted by reading: Tansu's ListOffsets high watermark is not a record count.
        let out = try broker.python("""
        import os
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": os.environ["BOOTSTRAP"], "group.id": "count", "enable.auto.commit": False})
        c.assign([TopicPartition("t", p, 0) for p in range(3)])
        total, idle = 0, 0
        while idle < 4:
            m = c.poll(0.5)
            if m is None: idle += 1; continue
            if m.error(): raise SystemExit(str(m.error()))
            total += 1; idle = 0
        print(total)
        """)
        return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
