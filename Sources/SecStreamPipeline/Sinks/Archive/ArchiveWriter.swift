import SecStreamArchive
import Codecs
import ObjectStore
import SecStreamCore

/// The archive sink of `process --archive`: every on-time valid event goes to
/// the object of its input and event-time hour. An object is cut when it
/// reaches `flushBytes`, when its input's event time has moved `flushAgeMs`
/// past the end of its hour, and at the end of the run — all functions of the
/// data alone, so a re-run over the same input cuts the same objects under the
/// same names and overwrites them instead of adding copies.
///
/// Orphans: a killed run may have left objects a re-run does not produce
/// (another flush size, another compression). At the end of a bounded run the
/// writer deletes, in every hour it wrote for a file input, the objects named
/// after that input that it did not write itself. (Kafka partitions are not
/// swept here: their owner resumes from the committed archive offset.)
package final class ArchiveWriter: EventSink {
    private struct OpenKey: Hashable {
        var source: Int32
        var hour: Int64
    }

    /// A reference, so the writer can keep the one the previous event went to.
    private final class OpenObject {
        let firstPosition: Int64
        @exclusivity(unchecked) var bytes: [UInt8]

        init(firstPosition: Int64, bytes: [UInt8]) {
            self.firstPosition = firstPosition
            self.bytes = bytes
        }
    }

    private let store: ObjectStore
    private let options: ArchiveWriterOptions
    private let sources: SourceTable
    private let uploader: ArchiveUploader
    // The per-event state is the engine thread's alone: `@exclusivity(unchecked)`
    // drops the runtime access checks, eight an event (profiled: 40% of `append`).
    @exclusivity(unchecked) private var open: [OpenKey: OpenObject] = [:]
    /// The object the previous event went to: consecutive events mostly share
    /// their input and hour, and then need no hash lookup. Cleared by `flush`.
    @exclusivity(unchecked) private var last: (key: OpenKey, object: OpenObject)?
    /// Per source (indexed by `EventLocation.source`, small dense integers,
    /// so the per-event path does no hashing for them): its stem, newest event
    /// time, and when to look next for hours old enough to flush.
    @exclusivity(unchecked) private var stems: [String?] = []
    private var stemOwners: [String: Int32] = [:]
    @exclusivity(unchecked) private var newest: [Int64] = []
    @exclusivity(unchecked) private var nextAgeCheck: [Int64] = []
    /// File inputs: the last archived line number and how many times the
    /// numbering restarted (a followed file rotated or truncated, see
    /// `FollowedFile`). Each restart gets its own stem, `<stem>.gen<N>`, so a
    /// new file's objects never take the names of the old one's.
    @exclusivity(unchecked) private var lastFileLine: [Int64] = []
    private var generation: [Int] = []
    private var baseStems: [String?] = []
    /// Keys written for each file input (for the orphan sweep).
    private var written: [Int32: Set<String>] = [:]
    @exclusivity(unchecked) private(set) var events = 0

    package init(store: ObjectStore, options: ArchiveWriterOptions, sources: SourceTable) {
        self.store = store
        self.options = options
        self.sources = sources
        uploader = ArchiveUploader(store: store, options: options)
    }

    var objectsWritten: Int { uploader.uploadedObjects }

    package func append(_ line: UnsafeRawBufferPointer, time: Int64, location: EventLocation) throws {
        let source = location.source
        let s = Int(source)
        if s < 0 || s >= stems.count || stems[s] == nil { try register(source, firstLine: line) }
        if lastFileLine[s] != .min {
            if location.position <= lastFileLine[s] { try restartNumbering(source) }
            lastFileLine[s] = location.position
        }
        let key = OpenKey(source: source, hour: ArchiveLayout.hour(of: time))
        let object: OpenObject
        if let last, last.key == key {
            object = last.object
        } else if let known = open[key] {
            object = known
            last = (key, object)
        } else {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(options.flushBytes + 4096, 16 << 20))
            object = OpenObject(firstPosition: location.position, bytes: bytes)
            open[key] = object
            last = (key, object)
            let due = (key.hour + 1) * ArchiveLayout.hourMs + options.flushAgeMs
            nextAgeCheck[s] = min(nextAgeCheck[s], due)
        }
        object.bytes.append(contentsOf: line)
        object.bytes.append(0x0a)
        let size = object.bytes.count
        events += 1
        if size >= options.flushBytes { flush(key) }
        if time > newest[s] {
            newest[s] = time
            if time >= nextAgeCheck[s] { flushAged(source: source, now: time) }
        }
    }

    package func jobDone() throws { try uploader.check() }

    /// Uploads every open object and waits until all are stored, then sweeps
    /// orphans of the file inputs.
    package func close() throws {
        uploadOpenObjects()
        try uploader.drain()
        try sweepOrphans()
    }

    /// For a Kafka owner deciding what to commit: the first position (offset)
    /// of each object of `source` not yet handed to the uploader; everything
    /// of that source before the smallest is archived once `drainUploads`
    /// returns.
    func openFirstPositions(source: Int32) -> [Int64] {
        open.filter { $0.key.source == source }.map(\.value.firstPosition).sorted()
    }

    package func drainUploads() throws { try uploader.drain() }

    /// Cuts every open object and hands it to the uploader (a Kafka
    /// checkpoint: nothing stays open across the archived offset).
    package func uploadOpenObjects() {
        for key in open.keys.sorted(by: { ($0.source, $0.hour) < ($1.source, $1.hour) }) { flush(key) }
    }

    /// `archive: 12 objects (3.4 MB lz4), 20000 events to file:///…/`
    package func summaryLine() -> String {
        String(format: "archive: %d objects (%.1f MB %@), %d events to %@", uploader.uploadedObjects,
               Double(uploader.uploadedBytes) / 1e6, options.codec.rawValue, events, store.location)
    }

    private func register(_ source: Int32, firstLine: UnsafeRawBufferPointer) throws {
        let named = sources.resolve(EventLocation(source: source, position: 0))
        var stem = ArchiveLayout.stem(for: named)
        if case .file(let name, _) = named, name == "stdin" {
            // Standard input has no name: two runs fed different streams must
            // not overwrite each other's `stdin-1`, while a re-run of the same
            // stream must. The hash of its first archived event tells them apart.
            var hash = StableHash128()
            hash.add(bytes: firstLine)
            stem += "-" + String(String(hash.finish().0, radix: 16).prefix(8))
        }
        if let owner = stemOwners[stem], owner != source {
            throw RunError(.usage, "--archive: two inputs would share the object name '\(stem)' "
                + "(\(DeadLetterWriter.text(sources.resolve(EventLocation(source: owner, position: 0)))) and "
                + "\(DeadLetterWriter.text(named))): give them different base names")
        }
        let s = Int(source)
        guard s >= 0 else { throw RunError(.input, "--archive: an event without a known input (source \(source))") }
        while stems.count <= s {
            stems.append(nil)
            baseStems.append(nil)
            newest.append(.min)
            nextAgeCheck.append(.max)
            lastFileLine.append(.min)
            generation.append(1)
        }
        stems[s] = stem
        baseStems[s] = stem
        stemOwners[stem] = source
        // Kafka offsets may legitimately go back (a resumed partition re-archives from its checkpoint).
        if case .file = named { lastFileLine[s] = 0 }
    }

    /// A file input's line numbers started again at 1: its open objects are
    /// cut, and its next objects are named after the next generation.
    private func restartNumbering(_ source: Int32) throws {
        let s = Int(source)
        for key in open.keys.sorted(by: { $0.hour < $1.hour }) where key.source == source { flush(key) }
        generation[s] += 1
        let stem = "\(baseStems[s]!).gen\(generation[s])"
        if let owner = stemOwners[stem], owner != source {
            throw RunError(.usage, "--archive: two inputs would share the object name '\(stem)': give them different base names")
        }
        stems[s] = stem
        stemOwners[stem] = source
    }

    private func flush(_ key: OpenKey) {
        if last?.key == key { last = nil }
        guard let object = open.removeValue(forKey: key), let stem = stems[Int(key.source)] else { return }
        let name = ArchiveLayout.objectKey(hour: key.hour, stem: stem, firstPosition: object.firstPosition, codec: options.codec)
        written[key.source, default: []].insert(name)
        uploader.upload(key: name, body: object.bytes)
    }

    private func flushAged(source: Int32, now: Int64) {
        var next = Int64.max
        for key in open.keys where key.source == source {
            let due = (key.hour + 1) * ArchiveLayout.hourMs + options.flushAgeMs
            if now >= due { flush(key) } else { next = min(next, due) }
        }
        nextAgeCheck[Int(source)] = next
    }

    private func sweepOrphans() throws {
        for (source, keys) in written.sorted(by: { $0.key < $1.key }) {
            guard case .file = sources.resolve(EventLocation(source: source, position: 0)), let stem = stems[Int(source)] else { continue }
            let hours = Set(keys.map { String($0.prefix(22)) })
            for prefix in hours.sorted() {
                do {
                    for object in try store.listAll(prefix: prefix).objects {
                        let name = object.key.dropFirst(prefix.count)
                        if !keys.contains(object.key) && ArchiveLayout.isObject(named: name, of: stem) {
                            try store.delete(key: object.key)
                        }
                    }
                } catch {
                    throw ArchiveStoreErrors.runError(error, doing: "archive \(store.location)\(prefix)")
                }
            }
        }
    }
}
