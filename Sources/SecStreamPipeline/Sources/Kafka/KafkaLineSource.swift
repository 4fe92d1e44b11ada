import Foundation
import Kafka
import SecStreamCore

/// The records of a Kafka topic as pipeline lines: one job per fetched record
/// batch, each partition its own engine input (per-partition watermarks).
///
/// Runs one *session*: the life of one engine over a fixed set of partitions.
/// A session ends at idle (`--until-idle`), on SIGINT/SIGTERM, or when the
/// group's assignment changes after the session has started: the runner then
/// starts a new session (new engine) that seeks every partition to its resume
/// offset and rebuilds the windows, so no window is split between owners.
final class KafkaLineSource: LineSource {
    enum End { case idle, stopped, rebalanced }

    private let consumer: KafkaConsumer
    private let topic: String
    private let sources: SourceTable
    private let checkpoint: KafkaCheckpoint?
    private let engine: WindowEngine
    private let untilIdleMs: Int64?
    /// A bounded run: end once every partition is drained (`KafkaConsumer.isCaughtUp`).
    private let stopWhenCaughtUp: Bool
    private let commitIntervalMs: Int64
    /// Seeks newly assigned partitions to their resume point and loads their marks.
    private let prepare: ([TopicPartition]) throws -> Void
    private let shouldStop: () -> Bool
    /// `--ready-file`: the positions at each look that found every assigned
    /// partition at its end (producer thread, keyed by the heartbeat job's
    /// negative token), reported as `caught-up` once the engine consumed that
    /// job; only when they differ from the last report.
    private let ready: ReadinessReporter?
    private var caughtUpLooks: [Int64: [(partition: Int32, offset: Int64)]] = [:]
    private var nextLook: Int64 = -1
    private var reportedPositions: [Int64]?

    /// Fetched batches not yet turned into jobs, and the next record of the first.
    private var pending: [(batch: ConsumedRecordBatch, next: Int)] = []
    /// Records per job: small enough that partitions interleave (one fetch
    /// holds megabytes per partition), so none looks idle while its records
    /// wait behind another's, and the watermark moves evenly.
    private let recordsPerJob = 4096
    /// Records per resume-tracker span (a job holds up to `recordsPerJob`).
    static let resumeGranularity = 128
    private var lastRecordMs = monotonicMs()
    private var lastHeartbeatMs: Int64 = 0
    /// When the current run of retriable poll failures began; a remote error after `retryLimitMs`.
    private var failingSinceMs: Int64?
    private let retryLimitMs: Int64 = 60_000
    private var nextToken: Int64 = 1
    private(set) var end: End?
    private var callbackError: Error?

    /// Producer/engine thread hand-over: jobs filled vs consumed, and the
    /// latest checkpoint waiting to be saved by the polling thread.
    private let state = NSCondition()
    private var filled = 0
    /// Jobs that carried records (not idle-clock heartbeats): the session has started.
    private var recordJobs = 0
    private var consumedJobs = 0
    private var spans: [Int64: (partition: Int32, first: Int64, next: Int64)] = [:]
    private var readyCheckpoint: [Int32: KafkaPartitionState]?
    private var lastCheckpointMs = monotonicMs()
    private var aborted = false
    /// Partitions not drained (`KafkaConsumer.isDrained`: no empty fetch at
    /// the current position yet, or behind the high watermark): never idle.
    private var backlogged: Set<Int32> = []

    init(consumer: KafkaConsumer, topic: String, sources: SourceTable, engine: WindowEngine, checkpoint: KafkaCheckpoint?,
         untilIdleMs: Int64?, stopWhenCaughtUp: Bool, commitIntervalMs: Int64, prepare: @escaping ([TopicPartition]) throws -> Void,
         ready: ReadinessReporter? = nil, shouldStop: @escaping () -> Bool) {
        self.consumer = consumer
        self.topic = topic
        self.sources = sources
        self.engine = engine
        self.checkpoint = checkpoint
        self.untilIdleMs = untilIdleMs
        self.stopWhenCaughtUp = stopWhenCaughtUp
        self.commitIntervalMs = commitIntervalMs
        self.prepare = prepare
        self.ready = ready
        self.shouldStop = shouldStop
        consumer.onAssigned = { [unowned self] in self.rebalance(added: $0) }
        consumer.onRevoked = { [unowned self] _ in self.rebalance(added: []) }
        // A rebalance that never settles (a broker that wedges the group)
        // must not outlast a stop signal. (`--until-idle` does not cut one
        // short: joining can legitimately take longer than a short idle time,
        // e.g. while a killed member's session runs out.)
        consumer.interrupt = shouldStop
    }

    /// The engine thread failed: stop waiting for it.
    func abort() {
        state.lock(); aborted = true; state.broadcast(); state.unlock()
    }

    /// The partitions the engine keeps active (never idle) right now.
    var backloggedPartitions: Set<Int32> {
        state.lock(); defer { state.unlock() }
        return backlogged
    }

    // MARK: Producer thread

    func fill(_ job: ScanJob) throws -> Bool {
        while true {
            if let e = callbackError { throw e }
            if end != nil { return false }
            if shouldStop() { end = .stopped; return false }
            try saveReadyCheckpoint()
            if !pending.isEmpty {
                fillNext(job)
                return true
            }
            let batches: [ConsumedRecordBatch]
            do {
                batches = try consumer.poll(timeoutMs: 100)
                failingSinceMs = nil
            } catch let e as KafkaError where e.isRetriable {
                // A broker restarting or a coordinator moving: back off and retry, up to a limit.
                let now = monotonicMs()
                let since = failingSinceMs ?? now
                failingSinceMs = since
                if now - since >= retryLimitMs {
                    throw RunError(.remote, "consume \(topic): \(e) (still failing after \(retryLimitMs / 1000)s of retries)")
                }
                usleep(useconds_t(min(1_000, 50 + (now - since) / 4) * 1_000))
                continue
            } catch KafkaError.interrupted {
                // Stopped while a rebalance was going round: end the session now.
                end = .stopped
                return false
            } catch let e as RunError { throw e } catch {
                throw RunError(.remote, "consume \(topic): \(error)")
            }
            if let e = callbackError { throw e }
            if end != nil { return false }
            // A partition reaching a (possibly stale) high watermark is not idle
            // yet: only a fetch at its position that comes back empty says so.
            var behind = Set(consumer.assignment.filter { !consumer.isDrained($0) }.map(\.partition))
            for (batch, _) in pending + batches.map({ ($0, 0) }) { behind.insert(batch.partition) }
            state.lock(); backlogged = behind; state.unlock()
            let now = monotonicMs()
            if !batches.isEmpty {
                pending = Self.interleaved(batches).map { ($0, 0) }
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
                    return false
                }
                if now - lastRecordMs >= idle + retryLimitMs {
                    let line = "secstream: --until-idle: no records for \((now - lastRecordMs) / 1000)s although partitions \(behind.sorted().map(String.init).joined(separator: ",")) of \(topic) were not read to their end; ending\n"
                    FileHandle.standardError.write(Data(line.utf8))
                    end = .idle
                    return false
                }
            }
            if stopWhenCaughtUp && consumer.isCaughtUp {
                end = .idle
                return false
            }
            if now - lastHeartbeatMs >= 100 {
                // An empty job: lets the engine thread move the idle clock and checkpoint.
                lastHeartbeatMs = now
                job.resetOwned(source: -1, input: -1)
                job.token = 0
                if ready != nil, behind.isEmpty, !consumer.assignment.isEmpty {
                    // Every partition at its end: every record fetched is in a job before this one.
                    let look = nextLook
                    nextLook -= 1
                    job.token = look
                    let positions = consumer.assignment.sorted().map { ($0.partition, consumer.position($0) ?? 0) }
                    state.lock(); caughtUpLooks[look] = positions; state.unlock()
                }
                noteFilled()
                return true
            }
        }
    }

    /// Orders fetched batches round-robin over partitions (each partition's
    /// batches stay in offset order).
    static func interleaved(_ batches: [ConsumedRecordBatch]) -> [ConsumedRecordBatch] {
        var byPartition: [Int32: [ConsumedRecordBatch]] = [:]
        var order: [Int32] = []
        for b in batches {
            if byPartition[b.partition] == nil { order.append(b.partition) }
            byPartition[b.partition, default: []].append(b)
        }
        var out: [ConsumedRecordBatch] = []
        out.reserveCapacity(batches.count)
        var round = 0
        while out.count < batches.count {
            for p in order where round < byPartition[p]!.count { out.append(byPartition[p]![round]) }
            round += 1
        }
        return out
    }

    /// Up to `recordsPerJob` records of the first pending batch. A batch split
    /// over several jobs is rotated to the back so the partitions take turns.
    private func fillNext(_ job: ScanJob) {
        let (batch, from) = pending.removeFirst()
        job.resetOwned(source: sources.partition(topic: batch.topic, partition: batch.partition), input: Int(batch.partition))
        let to = min(batch.records.count, from + recordsPerJob)
        batch.records.withValues(from..<to) { offset, value in
            job.appendLine(value ?? UnsafeRawBufferPointer(start: nil, count: 0), position: offset)
        }
        let first = batch.records.offset(at: from)
        let next = to < batch.records.count ? batch.records.offset(at: to) : batch.nextOffset
        if to < batch.records.count {
            // The rest of this batch goes after the other partitions' next batches.
            let later = pending.firstIndex { $0.batch.partition == batch.partition } ?? pending.endIndex
            let otherPartitions = Set(pending[..<later].map(\.batch.partition)).count
            pending.insert((batch, to), at: min(later, otherPartitions))
        }
        let token = nextToken
        nextToken += 1
        job.token = token
        state.lock()
        spans[token] = (batch.partition, first, next)
        recordJobs += 1
        state.unlock()
        noteFilled()
    }

    private func noteFilled() {
        state.lock(); filled += 1; state.unlock()
    }

    private func saveReadyCheckpoint() throws {
        state.lock()
        let ready = readyCheckpoint
        readyCheckpoint = nil
        state.unlock()
        if let ready, let checkpoint { try checkpoint.save(ready, consumer: consumer) }
    }

    /// Rebalance callbacks run inside `poll` on this thread. Before the first
    /// job the session simply takes the partitions; afterwards it waits for
    /// the engine to consume what was filled, checkpoints every partition it
    /// held (the revoked ones are handed over exactly), and ends.
    private func rebalance(added: [TopicPartition]) {
        guard end == nil, callbackError == nil else { return }
        do {
            state.lock()
            let started = recordJobs > 0
            state.unlock()
            if !started {
                try prepare(added)
                // The idle time counts from when there is something to read:
                // joining the group (e.g. while a dead member's session runs
                // out) is not idleness.
                lastRecordMs = monotonicMs()
                return
            }
            state.lock()
            while consumedJobs < filled && !aborted { state.wait() }
            state.unlock()
            try saveReadyCheckpoint()
            if let checkpoint { try checkpoint.save(try checkpoint.snapshot(engine: engine), consumer: consumer) }
            end = .rebalanced
        } catch {
            callbackError = error
        }
    }

    // MARK: Engine thread

    func consumed(_ job: ScanJob, pipeline: EventPipeline) throws {
        let now = monotonicMs()
        if job.token > 0 {
            state.lock()
            let span = spans.removeValue(forKey: job.token)
            state.unlock()
            if let span, let checkpoint {
                // The resume tracker gets the job in runs of `resumeGranularity`
                // records: a restart reprocesses from the first run that holds
                // an event the open windows need, so smaller runs replay fewer
                // records the windows had already spent (see the known gap in
                // `man secstream-process`, "Exactly-once alerts").
                // Non-event lines carry `ScanJob.nonEventMark` (Int64.min), which never wins.
                let times = job.times
                let lines = job.lines
                var i = 0
                while i < times.count {
                    let end = min(times.count, i + Self.resumeGranularity)
                    var maxTime = Int64.min
                    for k in i..<end where times[k] > maxTime { maxTime = times[k] }
                    checkpoint.tracker.consumed(partition: span.partition, firstOffset: lines[i].position,
                                                nextOffset: end < times.count ? lines[end].position : span.next, maxTime: maxTime)
                    i = end
                }
                if times.isEmpty {
                    checkpoint.tracker.consumed(partition: span.partition, firstOffset: span.first, nextOffset: span.next, maxTime: .min)
                }
            }
        }
        state.lock()
        let behind = backlogged
        state.unlock()
        for p in behind { engine.touchInput(Int(p)) }
        try engine.advance(wallClock: now)
        var ready: [Int32: KafkaPartitionState]?
        if let checkpoint, now - lastCheckpointMs >= commitIntervalMs {
            lastCheckpointMs = now
            ready = try checkpoint.snapshot(engine: engine)
        }
        state.lock()
        if let ready { readyCheckpoint = ready }
        consumedJobs += 1
        let caughtUp = job.token < 0 ? caughtUpLooks.removeValue(forKey: job.token) : nil
        state.broadcast()
        state.unlock()
        if let caughtUp, let reporter = self.ready {
            let key = caughtUp.flatMap { [Int64($0.partition), $0.offset] }
            if key != reportedPositions {
                reportedPositions = key
                try reporter.report("caught-up", [("topic", .string(topic)), ("partitions", .objects(caughtUp.map {
                    [("partition", .int(Int64($0.partition))), ("offset", .int($0.offset))]
                }))])
            }
        }
    }

    /// After the pipeline ended: the final checkpoint of this session (the
    /// engine is idle now, so it can be read from the runner's thread).
    func finalCheckpoint() throws {
        guard let checkpoint, end != .rebalanced else { return }
        try saveReadyCheckpoint()
        try checkpoint.save(try checkpoint.snapshot(engine: engine), consumer: consumer)
    }
}

/// Milliseconds on the monotonic clock (idle timers, checkpoint interval).
func monotonicMs() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
