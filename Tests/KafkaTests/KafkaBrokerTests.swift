import Foundation
import XCTest
@testable import Kafka

/// Integration tests against a real Tansu broker started for this class.
final class KafkaBrokerTests: XCTestCase {
    nonisolated(unsafe) static var broker: TansuBroker?
    nonisolated(unsafe) static var startError: Error?

    override class func setUp() {
        super.setUp()
        do { broker = try TansuBroker() } catch { startError = error }
    }

    override class func tearDown() {
        broker?.stop()
        broker = nil
        super.tearDown()
    }

    func config() throws -> KafkaConfig {
        if let e = Self.startError { throw e }
        guard let b = Self.broker else { throw BrokerUnavailable("broker not started") }
        return try KafkaConfig(bootstrap: b.bootstrap, requestTimeoutMs: 15_000)
    }

    func uniqueTopic(_ base: String) -> String { "\(base)-\(UInt32.random(in: 0...UInt32.max))" }

    func consumeAll(_ cfg: KafkaConfig, topic: String, partitions: Int, expect: Int, timeoutS: Double = 20) throws -> [ConsumedRecord] {
        let consumer = KafkaConsumer(config: cfg, options: ConsumerOptions(maxWaitMs: 200))
        defer { consumer.close() }
        var assign: [TopicPartition: Int64?] = [:]
        for p in 0..<partitions { assign[TopicPartition(topic, Int32(p))] = .some(nil) }
        try consumer.assign(assign)
        var out: [ConsumedRecord] = []
        let deadline = Date().addingTimeInterval(timeoutS)
        while out.count < expect && Date() < deadline {
            for b in try consumer.poll(timeoutMs: 200) { out.append(contentsOf: b.records) }
        }
        return out
    }

    func testProduceConsumeRoundTripUncompressed() throws {
        let cfg = try config()
        let topic = uniqueTopic("plain")
        let producer = try KafkaProducer(config: cfg)
        try producer.createTopic(name: topic, partitions: 3)
        for i in 0..<500 {
            try producer.send(topic: topic, key: Array("k\(i)".utf8), value: Array("v\(i)".utf8),
                              headers: [RecordHeader(key: "h", value: Array("\(i)".utf8))], timestamp: 1_700_000_000_000 + Int64(i))
        }
        try producer.flush(timeoutMs: 20_000)
        let stats = producer.deliveryStats
        producer.close()
        XCTAssertEqual(stats.acked, 500, "\(stats.failures.prefix(3))")
        let recs = try consumeAll(cfg, topic: topic, partitions: 3, expect: 500)
        XCTAssertEqual(recs.count, 500)
        var seen = Set<Int>()
        for r in recs {
            let k = String(decoding: r.key!, as: UTF8.self)
            let i = Int(k.dropFirst())!
            XCTAssertEqual(String(decoding: r.value!, as: UTF8.self), "v\(i)")
            XCTAssertEqual(r.headers, [RecordHeader(key: "h", value: Array("\(i)".utf8))])
            XCTAssertEqual(r.timestamp, 1_700_000_000_000 + Int64(i))
            seen.insert(i)
        }
        XCTAssertEqual(seen.count, 500)
    }
}
