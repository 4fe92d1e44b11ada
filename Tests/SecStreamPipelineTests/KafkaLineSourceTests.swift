import Foundation
import Kafka
import KafkaTestSupport
@testable import SecStreamCore
@testable import SecStreamKafkaRuntime
@testable import SecStreamPipeline
import XCTest

/// KafkaLineSource's idle and end-of-input decisions against a scripted
/// broker that under-reports the high watermark (as Tansu sometimes does).
final class KafkaLineSourceTests: XCTestCase {
    final class NoAlerts: AlertSink {
        func emit(_ alert: Alert) {}
    }

    /// A bounded run over a partition whose first fetch reports a stale high
    /// watermark and whose next fetch is lost: the partition must stay
    /// backlogged (never idle) and the run must not end until a fetch at the
    /// position comes back empty, so every record is read.
    func testStaleHighWatermarkNeitherMakesAPartitionIdleNorEndsABoundedRun() throws {
        let values = (0..<4).map { Array(#"{"@timestamp":"2026-11-20T10:00:0\#($0).000Z","n":\#($0)}"#.utf8) }
        let topic = try StaleWatermarkTopic(topic: "events", values: values, staleEnd: 2, dropFirstFetchAtStaleEnd: true)
        defer { topic.stop() }
        let consumer = KafkaConsumer(config: try KafkaConfig(bootstrap: topic.bootstrap), options: ConsumerOptions(maxWaitMs: 10))
        defer { consumer.close() }
        try consumer.assign([TopicPartition("events", 0): 0])

        let rules = try RuleSetFactory.load(ProcessOptions())
        let sources = SourceTable()
        let engine = WindowEngine(rules: rules, options: EngineOptions(idleTimeoutMs: 1), sources: sources, sink: NoAlerts())
        let handoff = KafkaCheckpointHandoff(checkpoint: nil, engine: engine, commitIntervalMs: 1_000)
        let source = KafkaLineSource(consumer: consumer, topic: "events", sources: sources, assigned: consumer.assignment,
                                     handoff: handoff, restartSkips: nil, untilIdleMs: nil, stopWhenCaughtUp: true,
                                     takeAssignment: { _ in }, shouldStop: { false })
        let job = ScanJob(context: ScanContext(rules: rules))

        // 1: the first fetch's records (offsets 0-1; high watermark 2, the log holds 4).
        guard case .lines(let first) = try source.fill(job) else { return XCTFail("records expected") }
        try job.loadLines()  // the worker's part: decode the batch into lines
        XCTAssertEqual(job.lines.map(\.position), [0, 1])
        XCTAssertEqual(first?.opened, [0], "the assigned partition is declared to the engine with the first job")
        // 2: the prefetch at offset 2 is lost. The position equals the reported
        // high watermark, but no fetch there came back empty: still backlogged.
        guard case .heartbeat(let heartbeat) = try source.fill(job) else {
            return XCTFail("a bounded run must not end at a stale high watermark; an idle-clock heartbeat expected")
        }
        XCTAssertEqual(job.lines.count, 0)
        XCTAssertEqual(source.backloggedPartitions, [0], "not idle: nothing says the partition is drained")
        XCTAssertEqual(heartbeat.activity.busy, [0], "and the heartbeat says so to the engine")
        XCTAssertEqual(heartbeat.activity.opened, [])

        var positions: [Int64] = [0, 1]
        let deadline = Date().addingTimeInterval(10)
        while true {
            let yield = try source.fill(job)
            if case .end = yield { break }
            try job.loadLines()
            positions += job.lines.map(\.position)
            XCTAssertLessThan(Date(), deadline, "the run did not end")
            if Date() > deadline { break }
        }
        XCTAssertEqual(positions, [0, 1, 2, 3], "every record, once")
        XCTAssertEqual(source.end, .idle, "ended as caught up")
        XCTAssertEqual(source.backloggedPartitions, [], "drained: the last fetch at offset 4 came back empty")
        XCTAssertEqual(topic.fetchedAt.last, 4)
    }
}
