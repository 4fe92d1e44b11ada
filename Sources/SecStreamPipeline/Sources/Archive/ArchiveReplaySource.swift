import SecStreamArchive
import Workers
import Dispatch
import Foundation
import ObjectStore
import SecStreamCore

/// The `LineSource` of `replay`: archive objects, fetched and decompressed in
/// parallel ahead of use, fed to the pipeline hour by hour in event-time order.
///
/// Why a merge: the live run dead-lettered its late events, so what the
/// archive holds was on time, yet an hour's objects (several inputs, or one
/// input cut by size) overlap in time and events within the lateness bound
/// are out of order inside an object. Sorting each hour's events by
/// (time, object order, line) gives every group its events in event-time
/// order, ties in archive order — what the engine's reorder buffer gave the
/// live run — and nothing arrives late. Hours do not overlap, so sorting hour
/// by hour sorts the whole replay.
///
/// Locations: every event of an hour is located as `<archive>/dt=…/hour=HH/`
/// and its rank in that hour's merged order.
final class ArchiveReplaySource: LineSource {
    private enum Fetched {
        case object(ArchiveReplayObject)
        case corrupt(String)
        case failed(RunError)
    }

    private enum Delivery {
        case object(ArchiveReplayObject)
        case end
    }

    private struct Entry {
        var time: Int64
        var object: Int32
        var line: Int32
    }

    private let store: ObjectStore
    private let sources: SourceTable
    private let from: Int64
    private let to: Int64
    private let speed: Double?
    private let progress: ProgressLine
    /// Objects of the hours already replayed (progress: done of all objects).
    private var objectsDone = 0
    private let hours: Int
    private let queue = NSCondition()
    private var deliveries: [Delivery] = []
    private var failure: Error?
    private var pending: ArchiveReplayObject?
    private var reachedEnd = false

    private var hourObjects: [ArchiveReplayObject] = []
    private var merged: [Entry] = []
    private var cursor = 0
    private var hourSource: Int32 = 0
    private var hoursDone = 0
    private var corruptObjects = 0
    /// Objects skipped as corrupt so far.
    var corrupt: Int { queue.withLock { corruptObjects } }
    private(set) var events = 0
    private var pace: (time: Int64, wall: UInt64)?
    private static let jobLines = 8192

    init(store: ObjectStore, objects: [ArchiveObject], sources: SourceTable, timeField: String,
         epochUnit: EpochUnit = .milliseconds, from: Int64?, to: Int64?, speed: Double?, parallelism: Int,
         progress: ProgressLine = .off, keyring: ArchiveKeyring? = nil) {
        self.store = store
        self.progress = progress
        progress.setTotal(Int64(objects.count))
        self.sources = sources
        self.from = from ?? .min
        self.to = to ?? .max
        self.speed = speed
        hours = Set(objects.map(\.hour)).count
        let prefetch = Thread { [self] in
            let readers = (0..<max(1, parallelism)).map { _ in LineTimeReader(timeField: timeField, epochUnit: epochUnit) }
            // Workers fetch, decompress and read line times; this thread hands
            // the objects over in archive order.
            do {
                try OrderedWorkerPool.map(count: objects.count, width: parallelism, lookahead: parallelism * 2, work: { worker, index -> Fetched in
                    switch ArchiveObjectReader.read(objects[index], from: store, keyring: keyring) {
                    case .failed(let error): return .failed(error)
                    case .corrupt(let why): return .corrupt(why)
                    case .data(let data):
                        return .object(ArchiveReplayObject(key: objects[index].key, hour: objects[index].hour, data: data,
                                                    timeReader: readers[worker]))
                    }
                }, deliver: { index, fetched in
                    switch fetched {
                    case .failed(let error): throw error
                    case .corrupt(let why):
                        progress.clear()
                        ArchiveMessages.say("\(store.location)\(objects[index].key): corrupt object skipped: \(why)")
                        queue.withLock { corruptObjects += 1 }
                        return true
                    case .object(let object):
                        return push(.object(object))
                    }
                })
                _ = push(.end)
            } catch {
                queue.lock(); failure = error; queue.broadcast(); queue.unlock()
            }
        }
        prefetch.stackSize = 1 << 20
        prefetch.start()
    }

    /// Blocks while a few objects already wait (bounded memory); false once the consumer is gone.
    private func push(_ delivery: Delivery) -> Bool {
        queue.lock()
        defer { queue.unlock() }
        while deliveries.count >= 4 && failure == nil { queue.wait() }
        deliveries.append(delivery)
        queue.broadcast()
        return true
    }

    private func pop() throws -> Delivery {
        queue.lock()
        defer { queue.unlock() }
        while deliveries.isEmpty && failure == nil { queue.wait() }
        if let failure { throw failure }
        queue.broadcast()
        return deliveries.removeFirst()
    }

    func fill(_ job: ScanJob) throws -> SourceYield {
        while cursor == merged.count {
            guard try loadNextHour() else {
                progress.clear()
                return .end
            }
        }
        job.resetOwned(source: hourSource, input: 0)
        var added = 0
        while cursor < merged.count && added < Self.jobLines {
            let entry = merged[cursor]
            if let speed, try !waitForPace(entry.time, speed: speed, jobHasLines: added > 0) { break }
            let object = hourObjects[Int(entry.object)]
            let line = object.lines[Int(entry.line)]
            cursor += 1
            object.data.withUnsafeBytes { bytes in
                job.appendLine(UnsafeRawBufferPointer(rebasing: bytes[line.start..<(line.start + line.length)]),
                               position: Int64(cursor))
            }
            added += 1
        }
        events += added
        if progress.enabled {
            // Objects of this hour count as done in proportion to its events replayed.
            let share = merged.isEmpty ? 0 : hourObjects.count * cursor / merged.count
            progress.report(done: Int64(objectsDone + share), note: "hour \(hoursDone)/\(hours)")
        }
        return .lines(nil)
    }

    /// Gathers every object of the next hour and sorts its events in range.
    private func loadNextHour() throws -> Bool {
        objectsDone += hourObjects.count
        hourObjects.removeAll(keepingCapacity: true)
        merged.removeAll(keepingCapacity: true)
        cursor = 0
        while true {
            let next: ArchiveReplayObject
            if let pending {
                next = pending
                self.pending = nil
            } else if reachedEnd {
                break
            } else {
                switch try pop() {
                case .end: reachedEnd = true; continue
                case .object(let object): next = object
                }
            }
            if let first = hourObjects.first, first.hour != next.hour {
                pending = next
                break
            }
            hourObjects.append(next)
        }
        guard let hour = hourObjects.first?.hour else { return false }
        for (o, object) in hourObjects.enumerated() {
            for (l, line) in object.lines.enumerated() where line.time >= from && line.time < to {
                merged.append(Entry(time: line.time, object: Int32(o), line: Int32(l)))
            }
        }
        merged.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.object != b.object { return a.object < b.object }
            return a.line < b.line
        }
        hourSource = sources.file("\(store.location)\(ArchiveLayout.hourPrefix(hour: hour))")
        hoursDone += 1
        return true
    }

    /// Paces by event time: sleeps until `time` is due at `speed`, or returns
    /// false so a job that already has lines goes out first.
    private func waitForPace(_ time: Int64, speed: Double, jobHasLines: Bool) throws -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        guard let pace else {
            self.pace = (time, now)
            return true
        }
        // In Double and capped (about 31 years): a forged year-9999 event in an
        // archive of 2026 must make a long wait, not an overflow trap.
        let delay = min(1e18, max(0, (Double(time) - Double(pace.time)) / speed * 1e6))
        let due = pace.wall + UInt64(delay)
        if due <= now + 20_000_000 { return true }
        if jobHasLines { return false }
        while case let now = DispatchTime.now().uptimeNanoseconds, due > now {
            usleep(UInt32(min(1_000_000, (due - now) / 1000)))
        }
        return true
    }
}
