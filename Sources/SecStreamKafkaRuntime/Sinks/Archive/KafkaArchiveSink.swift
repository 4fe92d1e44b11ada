import Foundation
import SecStreamArchive
import ObjectStore
import SecStreamCore
import SecStreamPipeline

/// The archive sink of a Kafka `process --archive` run: an `ArchiveWriter`
/// that takes part in the consumer group's checkpoints (`CheckpointedArchive`)
/// so every on-time event lands in the archive exactly once across crashes,
/// restarts and rebalances.
///
/// The invariant behind a checkpoint's `archived=N`: every on-time event of
/// the partition with offset < N is in an uploaded object, and every object
/// holding an event at or after N has a first offset ≥ N. `makeDurable()`
/// keeps it by cutting and uploading every open object (nothing open
/// straddles N); a later owner then deletes the partition's objects starting
/// at or past N (orphans of a crashed owner, whose cut points may differ) and
/// re-archives from N, while skipping the records below N it reprocesses only
/// to rebuild the windows.
final class KafkaArchiveSink: EventSink, CheckpointedArchive {
    private let writer: ArchiveWriter
    private let store: ObjectStore
    private let topic: String
    private let sources: SourceTable
    /// Per source index (dense small integers, no hashing per event): records
    /// below this offset are archived already and are not appended again.
    private var skipBelow: [Int64] = []
    /// Per source index: the offset after the last record archived (or known
    /// archived); `Int64.min` when nothing is.
    private var archivedNext: [Int64] = []
    /// `resume` runs on the polling thread (an assignment) while the engine
    /// thread appends and checkpoints: every method holds it. Uncontended but
    /// for rebalances, it costs an uncontended lock per archived event.
    private let lock = NSLock()

    init(writer: ArchiveWriter, store: ObjectStore, topic: String, sources: SourceTable) {
        self.writer = writer
        self.store = store
        self.topic = topic
        self.sources = sources
    }

    func append(_ line: UnsafeRawBufferPointer, time: Int64, location: EventLocation) throws {
        lock.lock()
        defer { lock.unlock() }
        let s = Int(location.source)
        if s >= archivedNext.count { grow(to: s) }
        if location.position < skipBelow[s] { return }
        try writer.append(line, time: time, location: location)
        archivedNext[s] = location.position + 1
    }

    func jobDone() throws { try lock.withLock { try writer.jobDone() } }

    func close() throws { try lock.withLock { try writer.close() } }

    func summaryLine() -> String { lock.withLock { writer.summaryLine() } }

    func makeDurable() throws {
        try lock.withLock {
            writer.uploadOpenObjects()
            try writer.drainUploads()
        }
    }

    func archivedThrough(partition: Int32) -> Int64? {
        lock.lock()
        defer { lock.unlock() }
        let s = Int(sources.partition(topic: topic, partition: partition))
        guard s < archivedNext.count, archivedNext[s] != .min else { return nil }
        return archivedNext[s]
    }

    /// Called when `partition` is (re)assigned, before its records flow. With
    /// no recorded progress (a first run, or a state saved without an
    /// archive) nothing is skipped or deleted.
    func resume(partition: Int32, archivedThrough offset: Int64?) throws {
        lock.lock()
        defer { lock.unlock() }
        let source = sources.partition(topic: topic, partition: partition)
        let s = Int(source)
        if s >= archivedNext.count { grow(to: s) }
        guard let offset else {
            skipBelow[s] = .min
            return
        }
        skipBelow[s] = offset
        archivedNext[s] = offset
        try writer.drainUploads()
        try deleteObjects(of: source, from: offset)
    }

    /// Deletes the objects of `source` whose first offset is ≥ `offset`, in every hour.
    private func deleteObjects(of source: Int32, from offset: Int64) throws {
        let stem = ArchiveLayout.stem(for: sources.resolve(EventLocation(source: source, position: 0)))
        do {
            for object in try store.listAll().objects {
                let name = object.key.split(separator: "/").last ?? Substring(object.key)
                guard ArchiveLayout.isObject(named: name, of: stem),
                      let first = Int64(name.dropFirst(stem.count + 1).prefix { $0.isASCII && $0.isNumber }),
                      first >= offset else { continue }
                try store.delete(key: object.key)
            }
        } catch {
            throw ArchiveStoreErrors.runError(error, doing: "archive \(store.location) (orphans of \(stem) from offset \(offset))")
        }
    }

    private func grow(to s: Int) {
        while archivedNext.count <= s {
            skipBelow.append(.min)
            archivedNext.append(.min)
        }
    }
}
