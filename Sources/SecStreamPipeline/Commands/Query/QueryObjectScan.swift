import SecStreamArchive
import SecStreamCore
import SecStreamMask

/// What one worker made of one archive object: rendered rows (ndjson, csv),
/// table cells, or partial counts, plus what it read.
struct QueryObjectResult {
    enum Status {
        case ok
        case corrupt(String)
        case failed(RunError)
    }

    var status: Status = .ok
    var rendered: [UInt8] = []
    /// End offset in `rendered` of each row, so `--limit` can cut between rows.
    var rowEnds: [Int] = []
    var cells: [[String]] = []
    var counts: [[UInt8]: Int] = [:]
    var events = 0
    var matched = 0
    var malformed: [(line: Int, reason: String)] = []
    var malformedCount = 0

    var rowCount: Int { cells.isEmpty ? rowEnds.count : cells.count }
}

/// Per-worker scratch for scanning objects: slots, the evaluator with its
/// buffers, the time parser's date cache. Nothing is allocated per event
/// except new count keys and the rows that are printed.
final class QueryObjectScanner {
    private let plan: QueryPlan
    private let scanner: FieldScanner
    private let slots: UnsafeMutableBufferPointer<FieldSlot>
    // One scanner per worker thread, touched by that thread only: the runtime
    // exclusivity checks of these per-event properties (a thread-local access
    // set per access, 3% of a gzip archive query's samples) are turned off.
    @exclusivity(unchecked) private var evaluator: QueryEvaluator?
    @exclusivity(unchecked) private var times = EventTimeParser()
    @exclusivity(unchecked) private var key: [UInt8] = []
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    @exclusivity(unchecked) private var text: [UInt8] = []
    /// `--mask`: each event is masked before it is filtered and rendered, so
    /// rows, counts and tables hold only masked values (one masker per worker).
    private let masker: EventMasker?

    init(plan: QueryPlan, masking: MaskPolicy? = nil) {
        self.plan = plan
        masker = masking.map { EventMasker(policy: $0) }
        scanner = FieldScanner(schema: plan.schema)
        slots = .allocate(capacity: max(1, plan.schema.count))
        slots.initialize(repeating: .missing)
        evaluator = plan.filter.map { QueryEvaluator($0) }
    }

    deinit { slots.deallocate() }

    /// Scans a decompressed object. `rowLimit` caps the rows rendered (the
    /// caller prints at most `--limit` rows in all).
    func scan(_ bytes: UnsafeRawBufferPointer, rowLimit: Int?) -> QueryObjectResult {
        var result = QueryObjectResult()
        let checkTime = plan.from != nil || plan.to != nil
        let from = plan.from ?? .min, to = plan.to ?? .max
        do {
            func handle(_ line: UnsafeRawBufferPointer, _ number: Int) {
                let scanned = scanner.scan(line, into: slots)
                guard scanned.isOK else {
                    result.malformedCount += 1
                    if result.malformed.count < 3 { result.malformed.append((number, scanned.description)) }
                    return
                }
                result.events += 1
                let event = EventView(line: line, slots: UnsafeBufferPointer(slots))
                if checkTime {
                    let slot = slots[plan.timeField]
                    guard let t = times.parse(event.raw(plan.timeField), kind: slot.kind), t >= from, t < to else { return }
                }
                if evaluator != nil, !evaluator!.matches(event) { return }
                result.matched += 1
                if !plan.countBy.isEmpty {
                    countKey(event)
                    result.counts[key, default: 0] += 1
                } else if rowLimit.map({ result.rowCount < $0 }) ?? true {
                    render(event, into: &result)
                }
            }
            ArchiveObjectReader.forEachLine(bytes) { line, number in
                if line.count == 0 { return }
                guard let masker else { return handle(line, number) }
                masker.maskLine(line).withUnsafeBytes { handle($0, number) }
            }
        }
        return result
    }

    private func render(_ event: EventView, into result: inout QueryObjectResult) {
        switch plan.format {
        case .ndjson:
            if plan.select.isEmpty {
                result.rendered.append(contentsOf: event.line)
            } else {
                result.rendered.append(0x7b)
                var first = true
                for field in plan.select where !slots[field].isMissing {
                    if !first { result.rendered.append(0x2c) }
                    first = false
                    JSONWriter.string(plan.schema.paths[field], into: &result.rendered)
                    result.rendered.append(0x3a)
                    QueryCells.appendJSON(slots[field], line: event.line, to: &result.rendered)
                }
                result.rendered.append(0x7d)
            }
            result.rendered.append(0x0a)
            result.rowEnds.append(result.rendered.count)
        case .csv:
            for (i, field) in plan.select.enumerated() {
                if i > 0 { result.rendered.append(0x2c) }
                text.removeAll(keepingCapacity: true)
                QueryCells.appendText(slots[field], line: event.line, scratch: &scratch, to: &text)
                QueryCells.appendCSV(text, to: &result.rendered)
            }
            result.rendered.append(0x0a)
            result.rowEnds.append(result.rendered.count)
        case .table:
            result.cells.append(plan.select.map { field in
                text.removeAll(keepingCapacity: true)
                QueryCells.appendText(slots[field], line: event.line, scratch: &scratch, to: &text)
                return String(decoding: text, as: UTF8.self)
            })
        }
    }

    /// The value tuple as bytes: per field a kind byte, a 4-byte length and the
    /// value (strings unescaped, so `"a"` and `"\u0061"` count together).
    private func countKey(_ event: EventView) {
        key.removeAll(keepingCapacity: true)
        for field in plan.countBy {
            let slot = slots[field]
            text.removeAll(keepingCapacity: true)
            QueryCells.appendText(slot, line: event.line, scratch: &scratch, to: &text)
            let kind: UInt8
            switch slot.kind {
            case .missing: kind = 0
            case .string, .escapedString: kind = 1
            default: kind = 2
            }
            key.append(kind)
            withUnsafeBytes(of: UInt32(text.count).littleEndian) { key.append(contentsOf: $0) }
            key.append(contentsOf: text)
        }
    }

    /// The fields of a count key: nil for a missing value, and whether it was a string.
    static func decodeKey(_ key: [UInt8], fields: Int) -> [(text: String, isString: Bool)?] {
        var out: [(text: String, isString: Bool)?] = []
        var i = 0
        for _ in 0..<fields {
            let kind = key[i]
            let length = Int(key[i + 1]) | Int(key[i + 2]) << 8 | Int(key[i + 3]) << 16 | Int(key[i + 4]) << 24
            let text = String(decoding: key[(i + 5)..<(i + 5 + length)], as: UTF8.self)
            i += 5 + length
            out.append(kind == 0 ? nil : (text, kind == 1))
        }
        return out
    }
}
