import Foundation
import Kafka
import KafkaTestSupport
@testable import SecStreamCore
@testable import SecStreamKafkaRuntime
@testable import SecStreamPipeline
import Workers
import XCTest

/// Record batches are decoded on the scan workers (`RecordBatchLines`), not
/// on the polling thread. Against a scripted topic of several partitions and
/// batches of every codec (some larger than a job, so split over jobs that
/// other workers may run first), the jobs that reach the consumer in order
/// must be exactly those a decode on the polling thread made: every record
/// once, in offset order per partition, each job's offsets contiguous with
/// the partition's previous job. A corrupt batch ends the run at its own job,
/// named by topic, partition and offset, after every job before it.
final class KafkaParallelDecodeTests: XCTestCase {
    /// What the consumer saw of one job.
    private struct SeenJob: Equatable {
        var input: Int
        var positions: [Int64]
        var values: [String]
        var first: Int64
        var next: Int64
    }

    private static func value(_ p: Int32, _ o: Int64) -> [UInt8] {
        Array(#"{"@timestamp":"2026-11-20T10:00:00.000Z","p":\#(p),"o":\#(o)}"#.utf8)
    }

    /// Runs a bounded `KafkaLineSource` over `topic` through the worker pool;
    /// `decodeOnProducer` loads each job's lines right after `fill`, as
    /// before the decode moved to the workers (the reference).
    private func consume(_ topic: BatchedTopic, workers: Int, decodeOnProducer: Bool,
                         seen: inout [SeenJob]) throws {
        let consumer = KafkaConsumer(config: try KafkaConfig(bootstrap: topic.bootstrap), options: ConsumerOptions(maxWaitMs: 10))
        defer { consumer.close() }
        var assignment: [TopicPartition: Int64?] = [:]
        for p in topic.partitions.indices { assignment[TopicPartition(topic.topic, Int32(p))] = 0 }
        try consumer.assign(assignment)
        let rules = try RuleSetFactory.load(ProcessOptions())
        let sources = SourceTable()
        let engine = WindowEngine(rules: rules, options: EngineOptions(), sources: sources, sink: NoAlerts())
        let handoff = KafkaCheckpointHandoff(checkpoint: nil, engine: engine, commitIntervalMs: 1_000)
        let source = KafkaLineSource(consumer: consumer, topic: topic.topic, sources: sources, assigned: consumer.assignment,
                                     handoff: handoff, restartSkips: nil, untilIdleMs: nil, stopWhenCaughtUp: true,
                                     takeAssignment: { _ in }, shouldStop: { false })
        let context = ScanContext(rules: rules)
        var out: [SeenJob] = []
        defer { seen = out }
        try OrderedWorkerPool.run(workers: workers, depth: 3 * workers, produce: { () -> ScanJob? in
            let job = ScanJob(context: context)
            while true {
                switch try source.fill(job) {
                case .lines:
                    if decodeOnProducer { try job.loadLines() }
                    return job
                case .heartbeat: continue
                case .end: return nil
                }
            }
        }, work: { worker, job -> ScanJob in
            // Later jobs often finish first: the pool must still hand them over in order.
            if !decodeOnProducer && worker % 2 == 0 { usleep(UInt32.random(in: 0...300)) }
            try job.work()
            return job
        }, consume: { job in
            let values = job.withStorage { storage in
                job.lines.map { String(decoding: UnsafeRawBufferPointer(rebasing: storage[$0.start..<($0.start + $0.length)]), as: UTF8.self) }
            }
            out.append(SeenJob(input: job.input, positions: job.lines.map(\.position), values: values,
                               first: job.offsets?.first ?? -1, next: job.offsets?.next ?? -1))
            return true
        })
    }

    final class NoAlerts: AlertSink {
        func emit(_ alert: Alert) {}
    }

    func testEveryRecordOnceInPartitionOrderWithTheJobsOfADecodeOnThePollingThread() throws {
        // Partition 1 has a batch of 9,000 records: three jobs of one batch.
        let counts = [[300, 5_000, 17, 1_200], [9_000, 40, 2_500], [1, 4_096, 4_097, 600]]
        let batches = try BatchedTopic.build(counts: counts, codecs: [.lz4, .none, .zstd, .gzip, .snappy], value: Self.value)
        let topic = try BatchedTopic(topic: "events", partitions: batches, batchesPerFetch: 2)
        defer { topic.stop() }

        var reference: [SeenJob] = []
        try consume(topic, workers: 1, decodeOnProducer: true, seen: &reference)
        for _ in 0..<3 {
            var parallel: [SeenJob] = []
            try consume(topic, workers: 4, decodeOnProducer: false, seen: &parallel)
            XCTAssertEqual(parallel.count, reference.count)
            let differ = zip(parallel, reference).enumerated().first { $0.element.0 != $0.element.1 }
            XCTAssertNil(differ.map { "job \($0.offset): \($0.element.0.input) \($0.element.0.positions.first ?? -1)+\($0.element.0.positions.count) \($0.element.0.first)..<\($0.element.0.next) vs \($0.element.1.input) \($0.element.1.positions.first ?? -1)+\($0.element.1.positions.count) \($0.element.1.first)..<\($0.element.1.next)" },
                         "the same jobs, in the same order, as a decode on the polling thread")
        }

        XCTAssertGreaterThan(Set(reference.prefix(6).map(\.input)).count, 1, "the partitions take turns")
        for p in counts.indices {
            let jobs = reference.filter { $0.input == p }
            let positions = jobs.flatMap(\.positions)
            XCTAssertEqual(positions, Array(0..<topic.end(p)), "partition \(p): every record once, in offset order")
            XCTAssertEqual(jobs.flatMap(\.values), positions.map { String(decoding: Self.value(Int32(p), $0), as: UTF8.self) })
            XCTAssertTrue(jobs.allSatisfy { $0.positions.count <= PartitionInterleaver.recordsPerJob })
            // The resume tracker's view: each job starts where the partition's previous one ended.
            var next: Int64 = 0
            for job in jobs {
                XCTAssertEqual(job.first, next, "partition \(p)")
                XCTAssertEqual(job.first, job.positions.first)
                next = job.next
            }
            XCTAssertEqual(next, topic.end(p), "partition \(p) consumed to its end")
        }
    }

    func testCorruptBatchEndsTheRunAtItsJobNamingItsLocation() throws {
        var batches = try BatchedTopic.build(counts: [[500, 500, 500], [500, 500, 500]], codecs: [.lz4, .zstd, .none],
                                             value: Self.value)
        batches[1][1].bytes[batches[1][1].bytes.count - 5] ^= 0x10  // partition 1, offsets 500..<1000
        let topic = try BatchedTopic(topic: "events", partitions: batches, batchesPerFetch: 1)
        defer { topic.stop() }

        var seen: [SeenJob] = []
        XCTAssertThrowsError(try consume(topic, workers: 4, decodeOnProducer: false, seen: &seen)) { error in
            guard let run = error as? RunError else { return XCTFail("\(error)") }
            XCTAssertEqual(run.kind, .remote)
            XCTAssertTrue(run.message.contains("consume events: kafka decode error: events/1 offset 500: record batch CRC mismatch"),
                          run.message)
        }
        // Jobs fill in turns: p0 0..<500, p1 0..<500, p0 500..<1000, then the corrupt one.
        XCTAssertEqual(seen.map(\.input), [0, 1, 0], "every job before the corrupt batch's, none after it")
        XCTAssertEqual(seen.filter { $0.input == 1 }.map(\.next), [500], "partition 1 consumed only up to the corrupt batch")
    }
}
