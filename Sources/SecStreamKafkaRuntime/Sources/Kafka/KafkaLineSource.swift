import Foundation
import Kafka
import SecStreamCore
import SecStreamPipeline

/// The records of a Kafka topic as pipeline lines: jobs of record batches
/// (`PartitionInterleaver`), each partition its own engine input
/// (per-partition watermarks).
///
/// Runs one *session*: the life of one engine over a fixed set of partitions.
/// A session ends at idle (`--until-idle`), on SIGINT/SIGTERM, or when the
/// group's assignment changes after the session has started: the runner then
/// starts a new session (new engine) that seeks every partition to its resume
/// offset and rebuilds the windows, so no window is split between owners.
///
/// This class decides when to poll (`KafkaPoller`), when the session ends,
/// which partitions are busy (never idle) and when to send a heartbeat; the
/// checkpoints go through `KafkaCheckpointHandoff`.
final class KafkaLineSource: LineSource {
    enum End { case idle, stopped, rebalanced }

    private let consumer: KafkaConsumer
    private let topic: String
    private let sources: SourceTable
    private let poller: KafkaPoller
    private var interleaver = PartitionInterleaver()
    private let handoff: KafkaCheckpointHandoff
    /// A restart's replay rules of the partitions (consumer group), set when they were taken.
    private let restartSkips: RestartSkipRules?
    private let untilIdleMs: Int64?
    /// A bounded run: end once every partition is drained (`KafkaConsumer.isCaughtUp`).
    private let stopWhenCaughtUp: Bool
    /// Takes newly assigned partitions before the session started: seeks them
    /// to their resume point, loads their marks (`KafkaAssignmentHandler`).
    private let takeAssignment: ([TopicPartition]) throws -> Void
    private let shouldStop: () -> Bool
    /// `--ready-file`: heartbeats that find every partition at its end carry their positions.
    private let reportsCaughtUp: Bool

    /// Partitions taken and not yet declared to the engine (with the next job).
    private var unopened: [Int]
    private var lastRecordMs = monotonicMs()
    private var lastHeartbeatMs: Int64 = 0
    private(set) var end: End?
    private var callbackError: Error?
    /// Partitions not drained (`KafkaConsumer.isDrained`: no empty fetch at
    /// the current position yet, or behind the high watermark): never idle.
    private(set) var backloggedPartitions: Set<Int32> = []

    /// `assigned`: the partitions the session already took (`takeAssignment`).
    init(consumer: KafkaConsumer, topic: String, sources: SourceTable, assigned: [TopicPartition],
         handoff: KafkaCheckpointHandoff, restartSkips: RestartSkipRules?, untilIdleMs: Int64?, stopWhenCaughtUp: Bool,
         takeAssignment: @escaping ([TopicPartition]) throws -> Void, reportsCaughtUp: Bool = false,
         shouldStop: @escaping () -> Bool) {
        self.consumer = consumer
        self.topic = topic
        self.sources = sources
        poller = KafkaPoller(consumer: consumer, topic: topic)
        self.handoff = handoff
        self.restartSkips = restartSkips
        self.untilIdleMs = untilIdleMs
        self.stopWhenCaughtUp = stopWhenCaughtUp
        self.takeAssignment = takeAssignment
        self.reportsCaughtUp = reportsCaughtUp
        self.shouldStop = shouldStop
        unopened = assigned.sorted().map { Int($0.partition) }
        consumer.onAssigned = { [unowned self] in self.rebalance(added: $0) }
        consumer.onRevoked = { [unowned self] _ in self.rebalance(added: []) }
        // A rebalance that never settles (a broker that wedges the group)
        // must not outlast a stop signal. (`--until-idle` does not cut one
        // short: joining can legitimately take longer than a short idle time,
        // e.g. while a killed member's session runs out.)
        consumer.interrupt = shouldStop
    }

    /// The engine thread failed: stop waiting for it.
    func abort() { handoff.abort() }

    // MARK: Producer thread

    func fill(_ job: ScanJob) throws -> SourceYield {
        while true {
            if let e = callbackError { throw e }
            if end != nil { return .end }
            if shouldStop() { end = .stopped; return .end }
            try handoff.saveReady(consumer: consumer)
            if !interleaver.isEmpty { return fillRecords(job) }
            let batches: [FetchedRecordBatch]
            switch try poller.poll() {
            case .batches(let polled):
                batches = polled
            case .retrying:
                continue
            case .interrupted:
                // Stopped while a rebalance was going round: end the session now.
                end = .stopped
                return .end
            }
            if let e = callbackError { throw e }
            if end != nil { return .end }
            // A partition reaching a (possibly stale) high watermark is not idle
            // yet: only a fetch at its position that comes back empty says so.
            var behind = Set(consumer.assignment.filter { !consumer.isDrained($0) }.map(\.partition))
            behind.formUnion(interleaver.partitions)
            for batch in batches { behind.insert(batch.partition) }
            backloggedPartitions = behind
            let now = monotonicMs()
            if !batches.isEmpty {
                interleaver.add(batches)
                lastRecordMs = now
                continue
            }
            // Idle only with nothing known to be waiting: a partition behind
            // its high watermark (the broker or this process was slow to
            // fetch) has not gone quiet. Unless nothing came for another
            // `retryLimitMs` (a partition whose leader stays unreachable):
            // then the run ends too, saying which partitions were not read to their end.
            if let idle = untilIdleMs, now - lastRecordMs >= idle {
                if behind.isEmpty {
                    end = .idle
                    return .end
                }
                if now - lastRecordMs >= idle + KafkaPoller.retryLimitMs {
                    let line = "secstream: --until-idle: no records for \((now - lastRecordMs) / 1000)s although partitions \(behind.sorted().map(String.init).joined(separator: ",")) of \(topic) were not read to their end; ending\n"
                    FileHandle.standardError.write(Data(line.utf8))
                    end = .idle
                    return .end
                }
            }
            if stopWhenCaughtUp && consumer.isCaughtUp {
                end = .idle
                return .end
            }
            if now - lastHeartbeatMs >= 100 {
                // An empty job: lets the pipeline move the idle clock and checkpoint.
                lastHeartbeatMs = now
                job.resetOwned(source: -1, input: -1)
                var caughtUp: CaughtUpPositions?
                if reportsCaughtUp, behind.isEmpty, !consumer.assignment.isEmpty {
                    // Every partition at its end: every record fetched is in a job before this one.
                    caughtUp = .partitions(topic: topic, consumer.assignment.sorted().map {
                        .init(partition: $0.partition, offset: consumer.position($0) ?? 0)
                    })
                }
                handoff.noteFilled(records: false)
                return .heartbeat(Heartbeat(activity: activity(at: now), caughtUp: caughtUp))
            }
        }
    }

    private func fillRecords(_ job: ScanJob) -> SourceYield {
        let partition = interleaver.fill(job, sources: sources)
        job.restartSkip = restartSkips?.rule(input: Int(partition))
        handoff.noteFilled(records: true)
        return .lines(activity(at: monotonicMs()))
    }

    private func activity(at now: Int64) -> InputActivity {
        defer { unopened = [] }
        return InputActivity(wallClock: now, opened: unopened, busy: backloggedPartitions.sorted().map { Int($0) })
    }

    /// Rebalance callbacks run inside `poll` on this thread. Before the first
    /// record the session simply takes the partitions; afterwards it hands
    /// every partition it held over with a checkpoint, and ends.
    private func rebalance(added: [TopicPartition]) {
        guard end == nil, callbackError == nil else { return }
        do {
            if !handoff.hasStarted {
                try takeAssignment(added)
                unopened += added.sorted().map { Int($0.partition) }
                // The idle time counts from when there is something to read:
                // joining the group (e.g. while a dead member's session runs
                // out) is not idleness.
                lastRecordMs = monotonicMs()
                return
            }
            try handoff.handOver(consumer: consumer)
            end = .rebalanced
        } catch {
            callbackError = error
        }
    }
}
