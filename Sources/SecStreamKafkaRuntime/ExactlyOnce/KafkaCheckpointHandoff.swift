import Foundation
import Kafka
import SecStreamCore
import SecStreamPipeline

/// Hands a Kafka session's checkpoints from the engine thread, which knows
/// what they cover, to the polling thread, which commits them (the consumer
/// and its group membership belong to that thread).
///
/// - Engine thread (the pipeline's `CheckpointHook`): each job's offsets feed
///   the resume tracker; every `--commit-interval` a snapshot is taken (the
///   outputs made durable, the states computed) and left for the polling thread.
/// - Polling thread: saves the snapshot left (`saveReady`) between polls; on
///   a rebalance, waits until the engine consumed every job filled so far and
///   checkpoints every partition the session held (`handOver`), so the
///   revoked ones go to their next owner exactly.
///
/// Without a consumer group there is no checkpoint: it only counts jobs.
final class KafkaCheckpointHandoff: CheckpointHook {
    /// Records per resume-tracker span (a job holds up to 4096).
    static let resumeGranularity = 128

    private let checkpoint: KafkaCheckpoint?
    /// Read for snapshots: on the engine thread, or on the polling thread
    /// once the engine consumed every job and waits for the next.
    private let engine: WindowEngine
    private let commitIntervalMs: Int64
    /// Engine thread: when the last interval snapshot was taken.
    private var lastCheckpointMs = monotonicMs()

    private let state = NSCondition()
    private var filled = 0
    /// Jobs that carried records (not heartbeats): the session has started.
    private var recordJobs = 0
    private var consumed = 0
    /// The latest snapshot, waiting for the polling thread to save it.
    private var readyCheckpoint: [Int32: KafkaPartitionState]?
    private var aborted = false

    init(checkpoint: KafkaCheckpoint?, engine: WindowEngine, commitIntervalMs: Int64) {
        self.checkpoint = checkpoint
        self.engine = engine
        self.commitIntervalMs = commitIntervalMs
    }

    // MARK: Polling thread

    /// A job was filled (and will reach the engine thread in order).
    func noteFilled(records: Bool) {
        state.lock()
        filled += 1
        if records { recordJobs += 1 }
        state.unlock()
    }

    /// Whether any record went to the engine: from then on the session's
    /// partitions are fixed, and a rebalance ends it.
    var hasStarted: Bool {
        state.lock(); defer { state.unlock() }
        return recordJobs > 0
    }

    /// Saves the snapshot the engine thread left, if any.
    func saveReady(consumer: KafkaConsumer) throws {
        state.lock()
        let ready = readyCheckpoint
        readyCheckpoint = nil
        state.unlock()
        if let ready, let checkpoint { try checkpoint.save(ready, consumer: consumer) }
    }

    /// A rebalance: waits until the engine consumed what was filled, then
    /// checkpoints every partition the session held.
    func handOver(consumer: KafkaConsumer) throws {
        state.lock()
        while consumed < filled && !aborted { state.wait() }
        state.unlock()
        try saveReady(consumer: consumer)
        if let checkpoint { try checkpoint.save(try checkpoint.snapshot(engine: engine), consumer: consumer) }
    }

    /// After the pipeline ended (not by a rebalance, which checkpointed
    /// already): the session's final checkpoint. The engine is idle now, so it
    /// can be read from the runner's thread.
    func finalCheckpoint(consumer: KafkaConsumer) throws {
        guard let checkpoint else { return }
        try saveReady(consumer: consumer)
        try checkpoint.save(try checkpoint.snapshot(engine: engine), consumer: consumer)
    }

    /// The engine thread failed: stop waiting for it.
    func abort() {
        state.lock(); aborted = true; state.broadcast(); state.unlock()
    }

    // MARK: Engine thread

    func jobConsumed(_ job: ScanJob) throws {
        let now = monotonicMs()
        if let checkpoint, let offsets = job.offsets {
            // The resume tracker gets the job in runs of `resumeGranularity`
            // records: a restart reprocesses from the first run that holds
            // an event the open windows need, so smaller runs replay fewer
            // records the windows had already spent (see the known gap in
            // `man secstream-process`, "Exactly-once alerts").
            // Non-event lines carry `ScanJob.nonEventMark` (Int64.min), which never wins.
            let partition = Int32(job.input)
            let times = job.times
            let lines = job.lines
            var i = 0
            while i < times.count {
                let end = min(times.count, i + Self.resumeGranularity)
                var maxTime = Int64.min
                for k in i..<end where times[k] > maxTime { maxTime = times[k] }
                checkpoint.trackConsumed(partition: partition, firstOffset: lines[i].position,
                                            nextOffset: end < times.count ? lines[end].position : offsets.next, maxTime: maxTime)
                i = end
            }
            if times.isEmpty {
                checkpoint.trackConsumed(partition: partition, firstOffset: offsets.first, nextOffset: offsets.next, maxTime: .min)
            }
        }
        var ready: [Int32: KafkaPartitionState]?
        if let checkpoint, now - lastCheckpointMs >= commitIntervalMs {
            lastCheckpointMs = now
            ready = try checkpoint.snapshot(engine: engine)
        }
        state.lock()
        if let ready { readyCheckpoint = ready }
        consumed += 1
        state.broadcast()
        state.unlock()
    }
}
