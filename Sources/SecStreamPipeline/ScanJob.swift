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

/// The stateless work on one chunk of lines — scan the wanted fields, parse the
/// event time, evaluate every detection rule, extract match records — done on
/// a worker thread. A job object is reused for chunk after chunk, so its
/// buffers are allocated once.
final class ScanJob {
    var chunk: LineChunk?
    var source: Int32 = 0
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
    }

    deinit { slots.deallocate() }

    func reset(chunk: LineChunk, source: Int32) {
        self.chunk = chunk
        self.source = source
        outcomes.removeAll(keepingCapacity: true)
        batch.reset()
    }

    /// Runs on a worker thread.
    func work() {
        guard let chunk else { return }
        let scanner = context.scanner
        let timeField = context.rules.timeField
        let detections = context.detections
        let extractor = context.extractor
        var index = 0
        for line in chunk {
            defer { index += 1 }
            if line.isOversized {
                outcomes.append(.malformed("line of \(line.length) bytes exceeds the 1 MiB limit"))
                continue
            }
            if line.length == 0 {
                outcomes.append(.blank)
                continue
            }
            let result = scanner.scan(line.bytes, into: slots)
            guard result.isOK else {
                outcomes.append(.malformed(result.description))
                continue
            }
            let event = EventView(line: line.bytes, slots: UnsafeBufferPointer(slots))
            let ts = slots[timeField]
            guard let time = timeParser.parse(event.raw(timeField), kind: ts.kind) else {
                outcomes.append(.malformed(ts.kind == .missing ? "no event time field '\(context.timeFieldName)'"
                                                                : "unparseable event time in '\(context.timeFieldName)'"))
                continue
            }
            outcomes.append(.event(time))
            let location = EventLocation(source: source, position: Int64(line.number))
            for d in 0..<detections.count where detections[d].matcher.matches(event) {
                extractor.extract(detection: d, event: event, time: time, location: location, line: index, into: batch)
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
