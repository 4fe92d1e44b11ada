import Foundation
import Kafka
import KafkaTestSupport
import XCTest

/// `ConsumerOptions.waitsAtEnd` off (a bounded read): once every partition
/// has reached its high watermark, the fetch that confirms the end asks the
/// broker to answer at once instead of long-polling, once per set of positions.
final class KafkaBoundedReadTests: XCTestCase {
    private func drain(_ topic: BatchedTopic, waitsAtEnd: Bool) throws -> [Int64] {
        var options = ConsumerOptions(maxWaitMs: 200)
        options.waitsAtEnd = waitsAtEnd
        let consumer = KafkaConsumer(config: try KafkaConfig(bootstrap: topic.bootstrap), options: options)
        defer { consumer.close() }
        try consumer.assign([TopicPartition("t", 0): 0, TopicPartition("t", 1): 0])
        var offsets: [Int64] = []
        let deadline = Date().addingTimeInterval(10)
        while !consumer.isCaughtUp && Date() < deadline {
            offsets += try consumer.poll(timeoutMs: 200).flatMap { $0.records.map(\.offset) }
        }
        XCTAssertTrue(consumer.isCaughtUp)
        return offsets
    }

    private func topic() throws -> BatchedTopic {
        let batches = try BatchedTopic.build(counts: [[3, 4], [5]], codecs: [.none, .lz4]) { _, o in Array("\(o)".utf8) }
        return try BatchedTopic(topic: "t", partitions: batches, batchesPerFetch: 1)
    }

    func testTheFetchThatConfirmsTheEndDoesNotWait() throws {
        let t = try topic()
        defer { t.stop() }
        XCTAssertEqual(try drain(t, waitsAtEnd: false).sorted(), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6].sorted())
        let waits = t.fetchWaits
        XCTAssertEqual(waits.filter { $0 < 10 }.count, 1, "one quick fetch, at the end: \(waits)")
        XCTAssertTrue(waits.allSatisfy { $0 == 200 || $0 == 1 }, "\(waits)")
        XCTAssertGreaterThanOrEqual(waits.firstIndex(of: 1) ?? 0, 2, "not before both batches of partition 0 came: \(waits)")
    }

    func testAFollowingConsumerLongPollsAtTheEnd() throws {
        let t = try topic()
        defer { t.stop() }
        _ = try drain(t, waitsAtEnd: true)
        XCTAssertTrue(t.fetchWaits.allSatisfy { $0 == 200 }, "\(t.fetchWaits)")
    }

    /// A broker that answers a quick fetch without the partitions (Tansu
    /// with a wait of 0) confirms nothing: the next fetch waits as usual
    /// instead of asking again and again.
    func testABrokerThatLeavesOutThePartitionsGetsTheNormalWaitNext() throws {
        let t = try topic()
        defer { t.stop() }
        t.leavesOutPartitionsOfQuickFetches = true
        _ = try drain(t, waitsAtEnd: false)
        let waits = t.fetchWaits
        XCTAssertEqual(waits.filter { $0 < 10 }.count, 1, "asked once: \(waits)")
        XCTAssertLessThan(waits.count, 12, "no spinning: \(waits)")
    }
}
