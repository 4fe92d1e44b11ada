import Foundation
import SecStreamCore
import SecStreamMask
import SecStreamLearn

/// A line of a job that is not an event, kept in a side table so the per-line
/// results stay a plain `[Int64]` (an enum with a `String` payload would make
/// every element copy retain and release).
struct NonEventLine {
    /// Index of the line in the job.
    var line: Int32
    /// Why the line is not an event (to the dead-letter record); nil for an
    /// empty line, which is skipped (as jq and DuckDB do) but counted.
    var reason: String?
}

/// One line of a job: where its bytes are in the job's storage and where it
/// came from (a 1-based line number, or a Kafka offset).
package struct LineRef {
    var start: Int
    var length: Int
    package var position: Int64
    /// The line exceeded the 1 MiB limit: not an event. Its bytes are in the
    /// chunk's spool at `spoolOffset` (>= 0), at `start` (-1), or not kept (`Line.notKept`).
    var oversized: Bool
    var spoolOffset: Int64 = -1
    /// `--geoip` added fields to the event: its enriched bytes are at this
    /// offset of the job's `GeoIPWorkspace` (-1: the line is used as read).
    var enrichedStart = -1
    var enrichedLength = 0
}

/// A batch of lines from one source (a chunk of a file, the records of one
/// Kafka partition fetch, an archive object) and the results of the stateless
/// work on it — scan the wanted fields, parse the event time, evaluate every
/// detection rule, extract match records — done on a worker thread.
/// Job objects are reused batch after batch, so their buffers are allocated once.
package final class ScanJob {
    /// Zero-copy storage: a chunk read from a file (its lines are found by the worker).
    private(set) var chunk: LineChunk?
    /// Owned storage for sources that assemble lines themselves (archive replay).
    private(set) var owned: [UInt8] = []
    /// Storage the lines point into without a copy, shared with its owner (a
    /// Kafka fetch response, a decompressed record batch): `withBorrowedLines`.
    private var borrowed: [UInt8]?
    /// Lines the worker makes before it scans them (`JobLineLoader`); nil once loaded.
    package var loader: JobLineLoader?
    package private(set) var lines: [LineRef] = []
    /// `SourceTable` index of the file or partition.
    private(set) var source: Int32 = 0
    /// The watermark input (a Kafka partition); 0 for files.
    package private(set) var input = 0
    /// How the source's inputs stood when it filled the job (following
    /// sources; set by the pipeline from `fill`'s answer).
    var activity: InputActivity?
    /// Set when the job is a heartbeat: empty, sent to carry this.
    var heartbeat: Heartbeat?
    /// Kafka: the offsets the job covers, from its first record to the offset
    /// after its last (past any gap the log has there: compacted records,
    /// transaction markers), for the checkpoint's resume tracker.
    package var offsets: (first: Int64, next: Int64)?
    /// A restart's rebuild (Kafka): which events of the job belong to windows
    /// that had already ended before the checkpoint it resumes from.
    package var restartSkip: RestartSkipRule?
    /// Per line, the event time (epoch ms); `nonEventMark` where the line may
    /// be in `nonEvents` (a real event time can equal the mark: the side table decides).
    package private(set) var times: [Int64] = []
    /// The lines that are not events, in line order.
    private(set) var nonEvents: [NonEventLine] = []
    package static let nonEventMark = Int64.min
    let batch = MatchBatch()
    private let slots: UnsafeMutableBufferPointer<FieldSlot>
    private let unescaped: UnescapeCache
    private var timeParser: EventTimeParser
    private let context: ScanContext
    /// `--mask-before-detect`: the lines were masked into `owned`, which then
    /// holds the job's bytes even for a file chunk (kept for its spool).
    private var maskedStorage = false
    /// This job's own masker (a Crypto-PAn cipher and cache are per thread).
    private var masker: EventMasker?
    /// `--geoip`: this job's lookup cache and enriched lines (nil without it).
    let geo: GeoIPWorkspace?
    /// `--mask` after detection with an archive: each event's masked bytes,
    /// made on the worker (`LinePass.maskForArchive`), for the engine thread to copy
    /// into the archive: `archiveMasked[archiveStarts[i]..<archiveStarts[i + 1]]`
    /// for line `i` (empty when the job has none).
    private(set) var archiveMasked = MaskedBytes()
    private(set) var archiveStarts: [Int] = []
    /// `--model` (and `train`): each event's window feature row, made on the
    /// worker from the slots of the one scan (`EventFeatureExtractor`).
    package private(set) var featureRows: EventFeatureRows

    init(context: ScanContext) {
        featureRows = EventFeatureRows(stride: context.featureExtractor?.spec.features.count ?? 0)
        self.context = context
        geo = context.geoip.map { GeoIPWorkspace(enricher: $0) }
        timeParser = EventTimeParser(epochUnit: context.rules.epochUnit)
        slots = .allocate(capacity: max(1, context.scanner.fieldCount))
        slots.initialize(repeating: .missing)
        unescaped = UnescapeCache(fieldCount: context.scanner.fieldCount)
        times.reserveCapacity(16_384)
        lines.reserveCapacity(16_384)
    }

    deinit {
        slots.deallocate()
        unescaped.deallocate()
        archiveMasked.deallocate()
    }

    /// Starts a job on a file chunk.
    func reset(chunk: LineChunk, source: Int32, input: Int = 0) {
        clear(source: source, input: input)
        self.chunk = chunk
    }

    /// Starts a job whose lines the caller appends with `appendLine`.
    package func resetOwned(source: Int32, input: Int) {
        clear(source: source, input: input)
    }

    /// Appends one line (e.g. an archived event) to owned storage.
    package func appendLine(_ bytes: UnsafeRawBufferPointer, position: Int64) {
        let start = owned.count
        owned.append(contentsOf: bytes)
        lines.append(LineRef(start: start, length: bytes.count, position: position, oversized: false))
    }

    /// Lines that are ranges of `storage`, which the job keeps (shares) until
    /// it is released instead of copying them: `body` appends them.
    package func withBorrowedLines(_ storage: [UInt8], _ body: (inout BorrowedLines) throws -> Void) rethrows {
        borrowed = storage
        var out = BorrowedLines()
        swap(&out.lines, &lines)
        defer { swap(&out.lines, &lines) }
        try body(&out)
    }

    /// Worker thread: makes the lines a source left to its loader, once.
    package func loadLines() throws {
        guard let loader else { return }
        self.loader = nil
        try loader.load(into: self)
    }

    private func clear(source: Int32, input: Int) {
        chunk = nil
        borrowed = nil
        loader = nil
        owned.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        times.removeAll(keepingCapacity: true)
        nonEvents.removeAll(keepingCapacity: true)
        batch.reset()
        geo?.reset()
        self.source = source
        self.input = input
        maskedStorage = false
        archiveMasked.removeAll()
        archiveStarts.removeAll(keepingCapacity: true)
        featureRows.removeAll()
        activity = nil
        heartbeat = nil
        offsets = nil
        restartSkip = nil
    }

    /// Releases the storage (a file chunk goes back to its pool, a borrowed
    /// buffer to its owner).
    func release() {
        chunk = nil
        borrowed = nil
        loader = nil
    }

    /// Calls `body` with the bytes the job's `LineRef`s point into.
    @inline(__always)
    func withStorage<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if !maskedStorage {
            if let chunk { return try body(chunk.bytes) }
            if let borrowed { return try borrowed.withUnsafeBytes { try body($0) } }
        }
        return try owned.withUnsafeBytes { try body($0) }
    }

    /// Runs on a worker thread. A file chunk's lines are scanned as they are
    /// listed, in one pass, so each line is brought into cache once.
    ///
    /// The job's tables are moved into a `LinePass` (a struct on the stack) for
    /// the loop and back after it: appending to a class property, or to a local
    /// a nested function captures, costs a runtime exclusivity check
    /// (`swift_beginAccess`, a TLS lookup) per access; a struct's own fields in
    /// its mutating methods are checked at compile time.
    func work() throws {
        try loadLines()
        if let policy = context.maskBeforeDetect { maskLines(policy) }
        // `--mask` after detection with an archive: a masker of the pool's
        // (one per worker at a time: its caches stay warm) masks each event
        // as it is scanned, at the slots the scan found (`maskScanned`).
        let pool = context.archiveMasking
        let archiveMasker = pool?.take()
        var pass = LinePass(context: context, source: source, slots: slots, unescaped: unescaped, timeParser: timeParser, geo: geo,
                            archiveMasker: archiveMasker)
        swap(&pass.lines, &lines)
        swap(&pass.times, &times)
        swap(&pass.nonEvents, &nonEvents)
        swap(&pass.archiveMasked, &archiveMasked)
        swap(&pass.archiveStarts, &archiveStarts)
        swap(&pass.featureRows, &featureRows)
        defer {
            swap(&pass.featureRows, &featureRows)
            swap(&pass.lines, &lines)
            swap(&pass.times, &times)
            swap(&pass.nonEvents, &nonEvents)
            swap(&pass.archiveMasked, &archiveMasked)
            swap(&pass.archiveStarts, &archiveStarts)
            timeParser = pass.timeParser
            if let archiveMasker { pool?.give(archiveMasker) }
        }
        let chunk = maskedStorage ? nil : self.chunk
        withStorage { storage in
            batch.withAppending { matches in
                if let chunk {
                    let base = storage.baseAddress
                    for line in chunk {
                        let start = line.bytes.baseAddress == nil || base == nil ? 0 : line.bytes.baseAddress! - base!
                        let ref = LineRef(start: start, length: line.length, position: Int64(line.number),
                                          oversized: line.isOversized, spoolOffset: line.spoolOffset)
                        pass.lines.append(ref)
                        pass.process(pass.lines.count - 1, ref, storage, &matches)
                    }
                } else {
                    for index in 0..<pass.lines.count { pass.process(index, pass.lines[index], storage, &matches) }
                }
            }
            pass.startArchiveLine()  // the end of the last line's bytes
        }
    }

    /// Calls `body` with the job's worker-masked archive bytes (nil when the
    /// workers masked none), read without a copy or a retain per line.
    @inline(__always)
    func withArchiveMasked<R>(_ body: (ArchiveMaskedLines?) throws -> R) rethrows -> R {
        guard !archiveStarts.isEmpty else { return try body(nil) }
        return try archiveStarts.withUnsafeBufferPointer { starts in try body(ArchiveMaskedLines(bytes: archiveMasked.bytes, starts: starts)) }
    }
}

/// The lines `ScanJob.withBorrowedLines` appends: ranges of the borrowed storage.
package struct BorrowedLines {
    fileprivate var lines: [LineRef] = []

    @inline(__always)
    package mutating func append(start: Int, length: Int, position: Int64) {
        lines.append(LineRef(start: start, length: length, position: position, oversized: false))
    }

    package mutating func reserveCapacity(_ n: Int) { lines.reserveCapacity(n) }
}

/// A job's worker-masked archive lines (see `ScanJob.maskForArchive`).
struct ArchiveMaskedLines {
    let bytes: UnsafeRawBufferPointer
    let starts: UnsafeBufferPointer<Int>

    @inline(__always)
    subscript(_ line: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[starts[line]..<starts[line + 1]])
    }
}

/// Archive maskers for the workers: a job takes one for its lines and gives it
/// back, so there are as many as jobs masked at once (the workers), each
/// reused job after job with its caches (pseudonyms, Crypto-PAn, values).
final class MaskerPool: @unchecked Sendable {
    let policy: MaskPolicy
    private var free: [EventMasker] = []
    private let lock = NSLock()

    /// The fields a scan finds for the maskers (`EventMasker.scannedPaths`).
    let scannedPaths: [String]?

    init(policy: MaskPolicy) {
        self.policy = policy
        let first = EventMasker(policy: policy)
        scannedPaths = first.scannedPaths
        free = [first]
    }

    func take() -> EventMasker {
        lock.lock()
        defer { lock.unlock() }
        return free.popLast() ?? EventMasker(policy: policy)
    }

    func give(_ masker: EventMasker) {
        lock.lock()
        free.append(masker)
        lock.unlock()
    }
}

extension ScanJob {
    /// `--mask-before-detect`, on the worker: every line replaced by its masked
    /// form in `owned` (a line that is not JSON gets the free-text patterns),
    /// so the scan, the archive and the dead letters see only masked bytes.
    /// A spooled oversized line keeps its place; its bytes are never written.
    private func maskLines(_ policy: MaskPolicy) {
        if masker == nil || masker!.policy.file != policy.file { masker = EventMasker(policy: policy) }
        let masker = masker!
        var masked: [UInt8] = []
        var refs: [LineRef] = []
        func add(_ bytes: UnsafeRawBufferPointer, _ template: LineRef) {
            var ref = template
            ref.start = masked.count
            if bytes.count > 0 { masked += masker.maskLine(bytes) }
            ref.length = masked.count - ref.start
            refs.append(ref)
        }
        if let chunk {
            for line in chunk {
                let ref = LineRef(start: 0, length: line.length, position: Int64(line.number),
                                  oversized: line.isOversized, spoolOffset: line.spoolOffset)
                if line.isOversized && line.spoolOffset != -1 { refs.append(ref); continue }
                add(line.bytes, ref)
            }
        } else {
            withStorage { storage in
                for ref in lines { add(UnsafeRawBufferPointer(rebasing: storage[ref.start..<(ref.start + ref.length)]), ref) }
            }
        }
        owned = masked
        lines = refs
        maskedStorage = true
    }
}

/// One worker's pass over a job's lines: scan, event time, detections, match records.
private struct LinePass {
    let scanner: FieldScanner
    let timeField: FieldID
    let timeFieldName: String
    let detections: DetectionMatcherSet
    let extractor: MatchExtractor
    let source: Int32
    let slots: UnsafeMutableBufferPointer<FieldSlot>
    let unescaped: UnescapeCache
    let geo: GeoIPWorkspace?
    var timeParser: EventTimeParser
    var lines: [LineRef] = []
    var times: [Int64] = []
    var nonEvents: [NonEventLine] = []
    /// `--mask` after detection with an archive: the masker, the slots of its
    /// `scannedPaths` (nil: each line is walked), and the masked bytes of
    /// line `i` at `archiveMasked[archiveStarts[i]..<archiveStarts[i + 1]]`.
    /// Unmanaged: the job holds the masker for the pass; a strong reference
    /// here cost a retain and a release per line.
    let archiveMasker: Unmanaged<EventMasker>?
    let archiveMaskFields: [Int32]?
    var archiveMasked = MaskedBytes()
    var archiveStarts: [Int] = []
    /// The last event line planned but not masked yet: masked once the next
    /// line is planned, so a plan's cache fetches have a whole line's work to
    /// arrive in (after detection alone they still waited: a third of the
    /// time spent splicing was the IPv4 table's load).
    var pendingMask: (bytes: UnsafeRawBufferPointer, plan: ScannedPlan)?
    /// `--model`: the window feature rows of the job's events (nil extractor: none made).
    let featureExtractor: EventFeatureExtractor?
    var featureRows = EventFeatureRows(stride: 0)
    let ruleFeatureColumns: [Int]

    init(context: ScanContext, source: Int32, slots: UnsafeMutableBufferPointer<FieldSlot>, unescaped: UnescapeCache,
         timeParser: EventTimeParser, geo: GeoIPWorkspace?, archiveMasker: EventMasker?) {
        self.geo = geo
        self.archiveMasker = archiveMasker.map { Unmanaged.passUnretained($0) }
        archiveMaskFields = context.archiveMaskFields
        featureExtractor = context.featureExtractor
        ruleFeatureColumns = context.ruleFeatureColumns
        scanner = context.scanner
        timeField = context.rules.timeField
        timeFieldName = context.timeFieldName
        detections = context.detections
        extractor = context.extractor
        self.source = source
        self.slots = slots
        self.unescaped = unescaped
        self.timeParser = timeParser
    }

    mutating func notAnEvent(_ line: Int, _ reason: String?) {
        startArchiveLine()  // no masked bytes: its range is empty
        times.append(ScanJob.nonEventMark)
        nonEvents.append(NonEventLine(line: Int32(line), reason: reason))
    }

    /// Masks the pending line (see `pendingMask`) into `archiveMasked`.
    @inline(__always)
    mutating func maskPending() {
        guard let pending = pendingMask, let archiveMasker else { return }
        archiveMasker._withUnsafeGuaranteedRef { $0.maskScanned(pending.bytes, pending.plan, into: &archiveMasked) }
        pendingMask = nil
    }

    /// Where line `index`'s masked bytes start: after the pending line's.
    @inline(__always)
    mutating func startArchiveLine() {
        guard archiveMasker != nil else { return }
        maskPending()
        archiveStarts.append(archiveMasked.count)
    }

    @inline(__always)
    mutating func process(_ index: Int, _ ref: LineRef, _ storage: UnsafeRawBufferPointer, _ matches: inout MatchBuffers) {
        if ref.oversized {
            notAnEvent(index, "line of \(ref.length) bytes exceeds the 1 MiB limit")
            return
        }
        if ref.length == 0 {
            notAnEvent(index, nil)
            return
        }
        let bytes = UnsafeRawBufferPointer(rebasing: storage[ref.start..<(ref.start + ref.length)])
        var shape = LineShape()
        let result = archiveMasker == nil ? scanner.scan(bytes, into: slots) : scanner.scan(bytes, into: slots, shape: &shape)
        guard result.isOK else {
            notAnEvent(index, result.description)
            return
        }
        unescaped.reset(lineLength: bytes.count)
        let event = EventView(line: bytes, slots: UnsafeBufferPointer(slots), unescaped: unescaped)
        let ts = slots[timeField]
        guard let time = timeParser.parse(event.raw(timeField), kind: ts.kind) else {
            notAnEvent(index, ts.kind == .missing ? "no event time field '\(timeFieldName)'"
                                                   : "unparseable event time in '\(timeFieldName)'")
            return
        }
        times.append(time)
        // The model's features read the slots of this scan (before any GeoIP rescan).
        // (Only with `--model`: `featureRows.count` is a call into SecStreamLearn, 0.7% of a worker's time a line.)
        var ruleRow = false
        if let featureExtractor {
            let rowsBefore = featureRows.count
            featureExtractor.extract(event, line: index, into: &featureRows)
            ruleRow = !ruleFeatureColumns.isEmpty && featureRows.count > rowsBefore
        }
        // The archive masker's plan, while the slots are the line's: its
        // cache fetches overlap the previous line's masking, this line's
        // detection and the next line's scan (it is masked after that).
        var plan = ScannedPlan.walk
        if let archiveMasker, let fields = archiveMaskFields {
            plan = fields.withUnsafeBufferPointer { fields in
                archiveMasker._withUnsafeGuaranteedRef {
                    $0.planScanned(bytes, slots: UnsafeBufferPointer(slots), fields: fields, shape: shape)
                }
            }
        }
        startArchiveLine()
        if let geo, let added = geo.enrich(bytes, slots: slots) {
            // Detections (and the archive) see the enriched line.
            let enriched = geo.bytes(added.start, added.length)
            if scanner.scan(enriched, into: slots).isOK {
                lines[index].enrichedStart = added.start
                lines[index].enrichedLength = added.length
                unescaped.reset(lineLength: enriched.count)
                match(index, time, ref, EventView(line: enriched, slots: UnsafeBufferPointer(slots), unescaped: unescaped), &matches,
                      ruleRow: ruleRow)
                archiveMasker?._withUnsafeGuaranteedRef { $0.maskLine(enriched, into: &archiveMasked) }
                return
            }
            _ = scanner.scan(bytes, into: slots)  // never expected: the line as read, scanned again
        }
        match(index, time, ref, event, &matches, ruleRow: ruleRow)
        // The event's bytes for the archive, masked once the next line is
        // planned (or the job ends): spliced at the slots the scan found where
        // the plan says so, walked otherwise.
        if archiveMasker != nil { pendingMask = (bytes, plan) }
    }

    @inline(__always)
    private mutating func match(_ index: Int, _ time: Int64, _ ref: LineRef, _ event: EventView, _ matches: inout MatchBuffers,
                                ruleRow: Bool) {
        let location = EventLocation(source: source, position: ref.position)
        // Unretained: the pass holds the extractor for the whole job, and a
        // closure capturing it strongly cost a retain and a release a line.
        let extractor = Unmanaged.passUnretained(self.extractor)
        if ruleRow {
            // `train --rules` features: the rules this event matched, on its feature row.
            let columns = ruleFeatureColumns
            detections.forEachMatch(event) { d in
                if columns[d] >= 0 { featureRows.markRuleMatch(column: columns[d]) }
                extractor._withUnsafeGuaranteedRef {
                    $0.extract(detection: d, event: event, time: time, location: location, line: index, into: &matches)
                }
            }
            return
        }
        detections.forEachMatch(event) { d in
            extractor._withUnsafeGuaranteedRef {
                $0.extract(detection: d, event: event, time: time, location: location, line: index, into: &matches)
            }
        }
    }
}

/// Read-only state every worker shares.
final class ScanContext: @unchecked Sendable {
    let rules: RuleSet
    /// The rules' fields, and with archive masking the policy's (set before the run starts).
    private(set) var scanner: FieldScanner
    let detections: DetectionMatcherSet
    let extractor: MatchExtractor
    let timeFieldName: String
    /// `--mask-before-detect`: the policy each job masks its lines with (set before the run starts).
    var maskBeforeDetect: MaskPolicy?
    /// `--mask` after detection with an archive: the maskers the workers mask
    /// each event's archive bytes with (set before the run starts). The
    /// scanner then also finds the policy's fields, so the workers splice
    /// the masked values where the scan found them instead of walking each
    /// event a second time.
    var archiveMasking: MaskerPool? { didSet { rebuildScanner() } }
    /// `--model` (and `train`): the window features' spec; its fields join the
    /// scan's schema, and each worker reads them into the job's feature rows.
    var windowFeatures: WindowFeatureSpec? { didSet { rebuildScanner() } }
    private(set) var featureExtractor: EventFeatureExtractor?
    /// Per detection rule, the column of its `ruleMatches` feature (-1: none;
    /// empty when the spec has none, so matching costs nothing more).
    private(set) var ruleFeatureColumns: [Int] = []

    /// The rules' fields, then the masking policy's and the features' (interning
    /// only appends, so each one's field ids stay valid in the final schema).
    private func rebuildScanner() {
        let schema = FieldSchema(paths: rules.schema.paths)
        archiveMaskFields = archiveMasking?.scannedPaths.map { $0.map { Int32(schema.intern($0)) } }
        featureExtractor = windowFeatures.map { EventFeatureExtractor(spec: $0, schema: schema) }
        ruleFeatureColumns = []
        for (column, feature) in (windowFeatures?.features ?? []).enumerated() {
            guard case .ruleMatches(let id) = feature.kind,
                  let d = rules.detections.firstIndex(where: { $0.meta.id == id }) else { continue }
            if ruleFeatureColumns.isEmpty { ruleFeatureColumns = Array(repeating: -1, count: rules.detections.count) }
            ruleFeatureColumns[d] = column
        }
        scanner = FieldScanner(schema: schema)
    }
    /// The slots of the archive masker's `scannedPaths` in `scanner`'s schema.
    private(set) var archiveMaskFields: [Int32]?
    /// `--geoip`: the databases and the address fields (nil without it: no per-event cost).
    let geoip: GeoIPEnricher?

    init(rules: RuleSet, geoip: GeoIPEnricher? = nil) {
        self.rules = rules
        self.geoip = geoip
        scanner = FieldScanner(schema: rules.schema)
        detections = DetectionMatcherSet(rules.detections, cache: rules.prefilterCache)
        extractor = MatchExtractor(rules: rules)
        timeFieldName = rules.schema.paths[rules.timeField]
    }
}
