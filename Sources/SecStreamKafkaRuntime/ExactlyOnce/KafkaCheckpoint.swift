import Foundation
import Kafka
import SecStreamCore
import SecStreamPipeline

/// The exactly-once bookkeeping of a consumer-group run (DESIGN-NOTES §3).
///
/// A checkpoint makes the alerts durable (flush + fsync, or every record
/// acknowledged by a Kafka alerts topic, whose end offsets it then notes), then computes per
/// partition the resume offset (oldest record the open windows depend on,
/// from `KafkaResumeTracker` and the engine's `oldestRetainedEventTime`) and
/// the alert mark, saves them to the state topic and commits the offsets.
/// A restarted or new owner seeks to the resume offsets, rebuilds the windows
/// by reprocessing and lets `KafkaAlertMarks` withhold what was written.
final class KafkaCheckpoint {
    let topic: String
    let marks: KafkaAlertMarks
    let store: KafkaStateStore?
    /// The archive writer, when the run archives (`process --archive`).
    weak var archive: CheckpointedArchive?
    /// Makes every alert written so far durable; with a Kafka alerts topic,
    /// returns the topic's end offsets from after that (nil for files).
    private let makeAlertsDurable: () throws -> [Int32: Int64]?
    /// Started on the polling thread (an assignment) while the engine thread
    /// feeds it and takes snapshots: every access holds `trackerLock`.
    private var tracker = KafkaResumeTracker()
    private let trackerLock = NSLock()
    /// What was last saved: an idle instance does not write the same state every interval.
    private var saved: [Int32: KafkaPartitionState] = [:]
    /// `--ready-file`: a `checkpoint` line after each save.
    private let ready: ReadinessReporter?
    /// `--baseline FILE`: the engine's learned state is written there with
    /// every checkpoint (when it changed), before the offsets are committed.
    /// A crash after the file and before the commit replays records whose
    /// windows the file already holds: the engine skips them as stale
    /// (neither scored nor learned again), so nothing is learned twice.
    var learnedStatePath: String?
    private var learnedSaved: [UInt8]?

    init(topic: String, marks: KafkaAlertMarks, store: KafkaStateStore?, ready: ReadinessReporter? = nil,
         makeAlertsDurable: @escaping () throws -> [Int32: Int64]?) {
        self.topic = topic
        self.marks = marks
        self.store = store
        self.ready = ready
        self.makeAlertsDurable = makeAlertsDurable
    }

    /// Polling thread: a partition was (re)assigned and is read from `offset`.
    func startTracking(partition: Int32, at offset: Int64) {
        trackerLock.withLock { tracker.start(partition: partition, at: offset) }
    }

    /// Engine thread: the records `firstOffset..<nextOffset` of `partition`
    /// went through the engine; `maxTime` is the newest event time among them.
    func trackConsumed(partition: Int32, firstOffset: Int64, nextOffset: Int64, maxTime: Int64) {
        trackerLock.withLock {
            tracker.consumed(partition: partition, firstOffset: firstOffset, nextOffset: nextOffset, maxTime: maxTime)
        }
    }

    /// Engine side (engine thread, or any thread while the engine is idle).
    func snapshot(engine: WindowEngine) throws -> [Int32: KafkaPartitionState] {
        let alertsEnd = try makeAlertsDurable()
        try archive?.makeDurable()
        if let path = learnedStatePath {
            let bytes = engine.learnedState().encoded()
            if bytes != learnedSaved {
                try LearnedStateFile.write(bytes: bytes, to: path, flag: "--baseline")
                learnedSaved = bytes
            }
        }
        let resumeTime = engine.resumeEventTime()
        let (resume, next) = trackerLock.withLock { (tracker.resumeOffsets(oldestRetained: resumeTime), tracker.next) }
        var states: [Int32: KafkaPartitionState] = [:]
        for (partition, offset) in resume {
            var state = KafkaPartitionState(resume: offset, mark: marks.mark(partition),
                                            archived: archive?.archivedThrough(partition: partition),
                                            alertsEnd: marks.alertsEnd(partition: partition, current: alertsEnd),
                                            resumeTime: resumeTime, replayUntil: resumeTime == nil ? nil : next[partition])
            state.next = next[partition]
            states[partition] = state
        }
        return states
    }

    /// Consumer side (the thread that polls): group offsets, then state records.
    ///
    /// The commit goes first because the broker fences it by group
    /// generation: a member that no longer owns its partitions (stopped in the
    /// middle of a rebalance, or paused past its session) learns it here and
    /// writes no state over the new owner's. Its checkpoint is then skipped,
    /// not fatal: the partitions' next owner resumes from the last one saved,
    /// which the exactly-once rules already cover (the alerts since are in the
    /// alerts file of a restarted instance or read back from an alerts topic).
    func save(_ all: [Int32: KafkaPartitionState], consumer: KafkaConsumer) throws {
        let states = all.filter { partition, state in saved[partition].map { !$0.sameProgress(as: state) } ?? true }
        guard let store, !states.isEmpty else { return }
        let partitions = states.keys.sorted()
        do {
            try consumer.commit(offsets: Dictionary(uniqueKeysWithValues: states.map {
                (TopicPartition(topic, $0.key), CommittedOffset(offset: $0.value.resume))
            }))
        } catch KafkaError.broker(let code, _) where code == .illegalGeneration || code == .unknownMemberId || code == .rebalanceInProgress {
            let line = "secstream: checkpoint of \(topic) partitions \(partitions) skipped: the group is rebalancing (\(code.name)); their next owner resumes from the previous one\n"
            FileHandle.standardError.write(Data(line.utf8))
            return
        } catch {
            throw RunError(.remote, "commit \(topic) partitions \(partitions): \(error)")
        }
        do {
            try store.save(states, dataTopic: topic)
        } catch {
            throw RunError(.remote, "save checkpoint of \(topic) partitions \(partitions): \(error)")
        }
        saved.merge(states) { $1 }
        if let ready {
            try ready.report("checkpoint", [
                ("topic", .string(topic)), ("group", .string(store.group)),
                ("partitions", .objects(partitions.map { p in
                    [("partition", .int(Int64(p))), ("resume", .int(states[p]!.resume)), ("next", .int(states[p]!.next ?? states[p]!.resume))]
                })),
            ])
        }
    }
}
