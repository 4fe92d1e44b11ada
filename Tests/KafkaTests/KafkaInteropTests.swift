import Foundation
import TestSupport
import XCTest
@testable import Kafka

/// Interoperability with librdkafka (confluent-kafka in the project venv),
/// against the Tansu broker started by `KafkaBrokerTests`' harness.
final class KafkaInteropTests: TansuTestCase {
    func bootstrap() throws -> String {
        try runningBroker().bootstrap
    }

    /// Runs tests/interop/kafka_interop.py with the venv's Python and decodes its JSON summary.
    func python(_ args: [String]) throws -> [String: Int] {
        let py = TansuBroker.venv.appendingPathComponent("bin/python").path
        guard FileManager.default.isExecutableFile(atPath: py) else {
            throw BrokerUnavailable("venv python not found at \(py); run scripts/venv.sh")
        }
        let script = TansuBroker.packageRoot.appendingPathComponent("tests/interop/kafka_interop.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = [script] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else {
            throw BrokerUnavailable("kafka_interop.py \(args.first ?? "") failed (\(p.terminationStatus)): "
                                    + String(decoding: errData.suffix(2000), as: UTF8.self))
        }
        return obj
    }

    func testLibrdkafkaReadsOurRecordsOnMurmur2Partitions() throws {
        try librdkafkaReadsOurRecords(compression: .lz4, count: 10_000)
    }

    func testLibrdkafkaReadsOurSnappyRecords() throws {
        try librdkafkaReadsOurRecords(compression: .snappy, count: 3_000)
    }

    func testLibrdkafkaReadsOurZstdRecords() throws {
        try librdkafkaReadsOurRecords(compression: .zstd, count: 3_000)
    }

    /// secstream writes keyed records with `compression`; librdkafka reads
    /// them back intact, on the partitions its own murmur2 partitioner picks.
    func librdkafkaReadsOurRecords(compression: RecordCompression, count n: Int) throws {
        let cfg = try KafkaConfig(bootstrap: try bootstrap())
        let topic = "ours-\(compression)-\(UInt32.random(in: 0...UInt32.max))"
        let partitions: Int32 = 7
        let admin = KafkaAdmin(config: cfg)
        try admin.createTopic(name: topic, partitions: partitions)
        try admin.createTopic(name: topic + "-mirror", partitions: partitions)
        admin.close()
        let producer = try KafkaProducer(config: cfg, options: ProducerOptions(compression: compression))
        for i in 0..<n {
            try producer.send(topic: topic, key: Array("key-\(i)".utf8), value: Array("value-\(i)".utf8),
                              headers: [RecordHeader(key: "i", value: Array("\(i)".utf8))])
        }
        try producer.flush(timeoutMs: 30_000)
        XCTAssertEqual(producer.deliveryStats.acked, n)
        producer.close()
        let summary = try python(["check-keyed", try bootstrap(), topic, topic + "-mirror", "\(n)", "\(partitions)"])
        XCTAssertEqual(summary["read"], n)
        XCTAssertEqual(summary["mirror"], n)
        XCTAssertEqual(summary["content_mismatches"], 0)
        XCTAssertEqual(summary["partition_mismatches"], 0)
    }

    func consumeLibrdkafkaTopic(codec: String) throws {
        let b = try bootstrap()
        let cfg = try KafkaConfig(bootstrap: b)
        let topic = "theirs-\(codec)-\(UInt32.random(in: 0...UInt32.max))"
        let admin = KafkaAdmin(config: cfg)
        try admin.createTopic(name: topic, partitions: 3)
        admin.close()
        let n = 2_000
        XCTAssertEqual(try python(["produce", b, topic, codec, "\(n)"])["delivered"], n)
        let consumer = KafkaConsumer(config: cfg, options: ConsumerOptions(maxWaitMs: 100))
        defer { consumer.close() }
        try consumer.assign([TopicPartition(topic, 0): 0, TopicPartition(topic, 1): 0, TopicPartition(topic, 2): 0])
        var seen = Set<Int>()
        var total = 0
        var codecs = Set<RecordCompression>()
        let deadline = Date().addingTimeInterval(20)
        while total < n && Date() < deadline {
            for batch in try consumer.poll(timeoutMs: 100) {
                codecs.insert(batch.compression)
                for r in batch.records {
                    total += 1
                    let i = Int(String(decoding: r.key!.dropFirst(), as: UTF8.self))!
                    XCTAssertEqual(String(decoding: r.value!, as: UTF8.self), "value-\(i)-" + String(repeating: "x", count: i % 200))
                    XCTAssertEqual(r.headers, [RecordHeader(key: "i", value: Array("\(i)".utf8))])
                    seen.insert(i)
                }
            }
        }
        XCTAssertEqual(total, n)
        XCTAssertEqual(seen.count, n)
        XCTAssertEqual(codecs, [RecordCompression(name: codec)!], "batches should arrive \(codec)-compressed")
    }

    func testConsumeLibrdkafkaGzip() throws { try consumeLibrdkafkaTopic(codec: "gzip") }
    func testConsumeLibrdkafkaSnappy() throws { try consumeLibrdkafkaTopic(codec: "snappy") }
    func testConsumeLibrdkafkaLZ4() throws { try consumeLibrdkafkaTopic(codec: "lz4") }
    func testConsumeLibrdkafkaZstd() throws { try consumeLibrdkafkaTopic(codec: "zstd") }
}
