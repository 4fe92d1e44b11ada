import XCTest
@testable import SecStreamCore

/// A test value of an event field: written as a JSON string or number.
enum TV: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case s(String)
    case n(Double)
    init(stringLiteral v: String) { self = .s(v) }
    init(integerLiteral v: Int) { self = .n(Double(v)) }
}

/// One event for the engine tests: its time, the detection rules it matched
/// (what the pipeline's workers would have found) and its fields.
struct TestEvent {
    var time: Int64
    var detections: [Int]
    var fields: [String: TV]
    var input: Int = 0
    /// Line number reported as the event's location (defaults to its arrival index + 1).
    var line: Int64? = nil

    init(_ time: Int64, _ detections: [Int], _ fields: [String: TV] = [:], input: Int = 0, line: Int64? = nil) {
        self.time = time; self.detections = detections; self.fields = fields; self.input = input; self.line = line
    }
}

/// Collects alerts in emission order.
final class CollectingSink: AlertSink {
    var alerts: [Alert] = []
    /// Alerts it rejects are withheld, as the pipeline's `AlertWriter.gate`
    /// withholds what a restart already wrote (the engine itself emits every alert).
    var gate: ((Alert) -> Bool)?
    private(set) var withheld = 0
    func emit(_ alert: Alert) {
        if let gate, !gate(alert) {
            withheld += 1
            return
        }
        alerts.append(alert)
    }
    /// The NDJSON the pipeline would write.
    var ndjson: String { String(decoding: alerts.flatMap(AlertEncoder.line), as: UTF8.self) }
}

/// Builds a `RuleSet` from RuleModel types directly (no Sigma loader).
final class RuleBuilder {
    let schema = FieldSchema()
    private(set) var detections: [DetectionRule] = []
    private(set) var correlations: [CorrelationRule] = []

    func meta(_ id: String) -> RuleMeta {
        RuleMeta(id: id, name: id, title: "Title of \(id)", level: "high", tags: ["attack.t1110"],
                 location: RuleLocation(file: "\(id).yml", line: 1))
    }

    @discardableResult
    func detection(_ id: String, emits: Bool = false) -> Int {
        detections.append(DetectionRule(meta: meta(id), matcher: DetectionMatcher(), emitsAlerts: emits))
        return detections.count - 1
    }

    /// A correlation over `sources`; group fields are read under the same names from
    /// detection sources, and by position from correlation sources.
    @discardableResult
    func correlation(_ id: String, _ kind: CorrelationKind, _ sources: [RuleRef], groupBy: [String],
                     spanMs: Int64, window: WindowKind = .sliding, condition: Threshold = Threshold(gte: 1),
                     valueField: String? = nil, emits: Bool = true, percentile: Double = 50) -> Int {
        let inputs = sources.map { src -> CorrelationInput in
            switch src {
            case .detection:
                return CorrelationInput(source: src, groupFields: groupBy.map { FieldRef([schema.intern($0)]) },
                                        valueField: valueField.map { FieldRef([schema.intern($0)]) })
            case .correlation:
                return CorrelationInput(source: src, groupIndexes: Array(0..<groupBy.count))
            }
        }
        correlations.append(CorrelationRule(meta: meta(id), kind: kind, inputs: inputs, groupBy: groupBy,
                                            timespanMs: spanMs, window: window, condition: condition,
                                            valueFieldName: valueField, emitsAlerts: emits, percentile: percentile))
        return correlations.count - 1
    }

    func ruleSet() -> RuleSet {
        let time = schema.intern("@timestamp")
        return RuleSet(schema: schema, timeField: time, detections: detections, correlations: correlations)
    }
}

/// A rule set assembled by hand, for wiring `RuleBuilder` does not cover.
struct PrebuiltRules {
    let rules: RuleSet
    init(_ rules: RuleSet) { self.rules = rules }
}

/// Drives extractor + engine the way the pipeline does: chunks of lines, one
/// `MatchBatch` per chunk filled by the extractor, then `admit` per line.
final class EngineHarness {
    let rules: RuleSet
    let sources = SourceTable()
    let sink = CollectingSink()
    let extractor: MatchExtractor
    let engine: WindowEngine
    let source: Int32
    private let batch = MatchBatch()
    private var arrivals: Int64 = 0
    /// Whether each fed event was admitted (false = late).
    private(set) var admitted: [Bool] = []

    convenience init(_ builder: RuleBuilder, options: EngineOptions = EngineOptions()) {
        self.init(rules: builder.ruleSet(), options: options)
    }

    convenience init(_ prebuilt: PrebuiltRules, options: EngineOptions = EngineOptions()) {
        self.init(rules: prebuilt.rules, options: options)
    }

    init(rules: RuleSet, options: EngineOptions) {
        self.rules = rules
        extractor = MatchExtractor(rules: rules)
        source = sources.file("test.ndjson")
        engine = WindowEngine(rules: rules, options: options, sources: sources, sink: sink)
    }

    var alerts: [Alert] { sink.alerts }

    func feed(_ events: [TestEvent], chunk: Int = 3) {
        var i = 0
        while i < events.count {
            let part = Array(events[i..<min(events.count, i + chunk)])
            batch.reset()
            for (k, e) in part.enumerated() {
                let line = e.line ?? (arrivals + Int64(k) + 1)
                let location = EventLocation(source: source, position: line)
                withEventView(e) { view in
                    batch.withAppending { buffers in
                        for d in e.detections {
                            extractor.extract(detection: d, event: view, time: e.time, location: location, line: k, into: &buffers)
                        }
                    }
                }
            }
            for (k, e) in part.enumerated() {
                // The collecting sink never throws.
                admitted.append(try! engine.admit(time: e.time, input: e.input, line: k, of: batch))
            }
            arrivals += Int64(part.count)
            i += chunk
        }
    }

    func finish() { try! engine.finish() }

    /// Lays the event out as a JSON line and points one slot per schema field at it.
    private func withEventView(_ e: TestEvent, _ body: (EventView) -> Void) {
        var line: [UInt8] = Array("{".utf8)
        var slots = [FieldSlot](repeating: .missing, count: rules.schema.count)
        for (k, (name, value)) in e.fields.sorted(by: { $0.key < $1.key }).enumerated() {
            if k > 0 { line.append(UInt8(ascii: ",")) }
            line.append(contentsOf: "\"\(name)\":".utf8)
            let id = rules.schema.id(of: name)
            switch value {
            case .s(let s):
                line.append(UInt8(ascii: "\""))
                let start = line.count
                let escaped = s.contains("\\")
                line.append(contentsOf: s.utf8)
                if let id { slots[id] = FieldSlot(start: Int32(start), end: Int32(line.count), kind: escaped ? .escapedString : .string) }
                line.append(UInt8(ascii: "\""))
            case .n(let v):
                let start = line.count
                line.append(contentsOf: (v == v.rounded() ? String(Int64(v)) : String(v)).utf8)
                if let id { slots[id] = FieldSlot(start: Int32(start), end: Int32(line.count), kind: .number) }
            }
        }
        line.append(UInt8(ascii: "}"))
        line.withUnsafeBytes { raw in
            slots.withUnsafeBufferPointer { body(EventView(line: raw, slots: $0)) }
        }
    }
}

/// Seconds to milliseconds, relative to a fixed base time (2026-11-20T13:00:00Z).
let base: Int64 = 1_795_179_600_000
func at(_ seconds: Double) -> Int64 { base + Int64((seconds * 1000).rounded()) }
