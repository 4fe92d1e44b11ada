import SecStreamCore

/// What became of one line after the stateless stage.
enum LineOutcome {
    /// A valid event at this time (epoch ms).
    case event(Int64)
    /// Not an event: the reason goes to the dead-letter record.
    case malformed(String)
    /// An empty line: no data, skipped (as jq and DuckDB do) but counted.
    case blank
}

/// One line of a job: where its bytes are in the job's storage and where it
/// came from (a 1-based line number, or a Kafka offset).
struct LineRef {
    var start: Int
    var length: Int
    var position: Int64
    /// The line exceeded the 1 MiB limit; its bytes were never buffered.
    var oversized: Bool
}

/// A batch of lines from one source (a chunk of a file, the records of one
/// Kafka partition fetch, an archive object) and the results of the stateless
/// work on it — scan the wanted fields, parse the event time, evaluate every
/// detection rule, extract match records — done on a worker thread.
/// Job objects are reused batch after batch, so their buffers are allocated once.
final class ScanJob {
    /// Zero-copy storage: a chunk read from a file (its lines are found by the worker).
    private(set) var chunk: LineChunk?
    /// Owned storage for sources that assemble lines themselves (Kafka values).
    private(set) var owned: [UInt8] = []
    private(set) var lines: [LineRef] = []
    /// `SourceTable` index of the file or partition.
    private(set) var source: Int32 = 0
    /// The watermark input (a Kafka partition); 0 for files.
    private(set) var input = 0
    /// Opaque to the pipeline: what the source needs back after the engine
    /// consumed the job (e.g. Kafka's topic-partition and last offset).
    var token: Int64 = 0
    var outcomes: [LineOutcome] = []
    let batch = MatchBatch()
    private let slots: UnsafeMutableBufferPointer<FieldSlot>
    private var timeParser = EventTimeParser()
    private let context: ScanContext

    init(context: ScanContext) {
        self.context = context
        slots = .allocate(capacity: max(1, context.scanner.fieldCount))
        slots.initialize(repeating: .missing)
        outcomes.reserveCapacity(16_384)
        lines.reserveCapacity(16_384)
    }

    deinit { slots.deallocate() }

    /// Starts a job on a file chunk.
    func reset(chunk: LineChunk, source: Int32, input: Int = 0) {
        clear(source: source, input: input)
        self.chunk = chunk
    }

    /// Starts a job whose lines the caller appends with `appendLine`.
    func resetOwned(source: Int32, input: Int) {
        clear(source: source, input: input)
    }

    /// Appends one line (e.g. a Kafka record value) to owned storage.
    func appendLine(_ bytes: UnsafeRawBufferPointer, position: Int64) {
        let start = owned.count
        owned.append(contentsOf: bytes)
        lines.append(LineRef(start: start, length: bytes.count, position: position, oversized: false))
    }

    private func clear(source: Int32, input: Int) {
        chunk = nil
        owned.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        outcomes.removeAll(keepingCapacity: true)
        batch.reset()
        self.source = source
        self.input = input
        token = 0
    }

    /// Releases the storage (a file chunk goes back to its pool).
    func release() { chunk = nil }

    /// Calls `body` with the bytes the job's `LineRef`s point into.
    @inline(__always)
    func withStorage<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let chunk { return try body(chunk.bytes) }
        return try owned.withUnsafeBytes { try body($0) }
    }

    /// Runs on a worker thread.
    func work() {
        if let chunk {
            let base = chunk.bytes.baseAddress
            for line in chunk {
                let start = line.isOversized || base == nil ? 0 : line.bytes.baseAddress! - base!
                lines.append(LineRef(start: start, length: line.length, position: Int64(line.number),
                                     oversized: line.isOversized))
            }
        }
        withStorage { storage in
            let scanner = context.scanner
            let timeField = context.rules.timeField
            let detections = context.detections
            let extractor = context.extractor
            for index in 0..<lines.count {
                let ref = lines[index]
                if ref.oversized {
                    outcomes.append(.malformed("line of \(ref.length) bytes exceeds the 1 MiB limit"))
                    continue
                }
                if ref.length == 0 {
                    outcomes.append(.blank)
                    continue
                }
                let bytes = UnsafeRawBufferPointer(rebasing: storage[ref.start..<(ref.start + ref.length)])
                let result = scanner.scan(bytes, into: slots)
                guard result.isOK else {
                    outcomes.append(.malformed(result.description))
                    continue
                }
                let event = EventView(line: bytes, slots: UnsafeBufferPointer(slots))
                let ts = slots[timeField]
                guard let time = timeParser.parse(event.raw(timeField), kind: ts.kind) else {
                    outcomes.append(.malformed(ts.kind == .missing ? "no event time field '\(context.timeFieldName)'"
                                                                    : "unparseable event time in '\(context.timeFieldName)'"))
                    continue
                }
                outcomes.append(.event(time))
                let location = EventLocation(source: source, position: ref.position)
                for d in 0..<detections.count where detections[d].matcher.matches(event) {
                    extractor.extract(detection: d, event: event, time: time, location: location, line: index, into: batch)
                }
            }
        }
    }
}

/// Read-only state every worker shares.
final class ScanContext: @unchecked Sendable {
    let rules: RuleSet
    let scanner: FieldScanner
    let detections: [DetectionRule]
    let extractor: MatchExtractor
    let timeFieldName: String

    init(rules: RuleSet) {
        self.rules = rules
        scanner = FieldScanner(schema: rules.schema)
        detections = rules.detections
        extractor = MatchExtractor(rules: rules)
        timeFieldName = rules.schema.paths[rules.timeField]
    }
}
