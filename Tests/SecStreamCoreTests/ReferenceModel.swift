@testable import SecStreamCore

/// An alert reduced to what the differential test compares.
struct ComparableAlert: Equatable, CustomStringConvertible {
    var ruleID: String
    var id: String?
    var group: [String]
    var windowStart: Int64
    var windowEnd: Int64
    var detectedAt: Int64
    var firstSeen: Int64
    var lastSeen: Int64
    var value: Double
    var sampleLines: [Int64]

    init(ruleID: String, id: String?, group: [String], windowStart: Int64, windowEnd: Int64, detectedAt: Int64,
         firstSeen: Int64, lastSeen: Int64, value: Double, sampleLines: [Int64]) {
        self.ruleID = ruleID; self.id = id; self.group = group; self.windowStart = windowStart
        self.windowEnd = windowEnd; self.detectedAt = detectedAt; self.firstSeen = firstSeen
        self.lastSeen = lastSeen; self.value = value; self.sampleLines = sampleLines
    }

    /// From an engine alert; detection alerts' ids hash the event line, which the
    /// reference does not rebuild, so only correlation alert ids are compared.
    init(_ a: Alert, isCorrelation: Bool) {
        self.init(ruleID: a.ruleID, id: isCorrelation ? a.id.description : nil, group: a.group.map(\.value),
                  windowStart: a.windowStart, windowEnd: a.windowEnd, detectedAt: a.detectedAt,
                  firstSeen: a.firstSeen, lastSeen: a.lastSeen, value: a.value,
                  sampleLines: a.samples.map { if case .file(_, let l) = $0 { return l } else { return -1 } })
    }

    var description: String {
        "\(ruleID) \(group) [\(windowStart - base), \(windowEnd - base)] at \(detectedAt - base) value \(value) samples \(sampleLines)"
    }
}

/// A deliberately naive implementation of docs/windows.md, for
/// differential testing of `WindowEngine`: decide lateness by replaying the
/// arrivals, sort every admitted match by (time, arrival), keep every group's
/// events in plain arrays keyed by their values as strings, and rescan them at
/// each step. No heaps, interning, linked lists, lazy timers or running sums.
final class ReferenceEngine {
    private struct Item {
        var time: Int64
        var input: Int
        var value: String?
        var number: Double
        var line: Int64
    }

    private struct GroupState {
        var items: [Item] = [] { didSet { lastTime = items.map(\.time).max() ?? 0 } }
        var lastTime: Int64 = 0
        var windowStart: Int64 = 0
        var fired = false
    }

    private struct StateKey: Hashable {
        var correlation: Int
        var group: [String]
    }

    private let rules: RuleSet
    private let lateness: Int64
    private var states: [StateKey: GroupState] = [:]
    private(set) var alerts: [ComparableAlert] = []

    init(rules: RuleSet, latenessMs: Int64) {
        self.rules = rules
        self.lateness = latenessMs
    }

    func run(_ arrivals: [TestEvent]) {
        // 1. Which arrivals are late: the watermark is the minimum over the inputs
        // seen so far of their largest time (late events included), minus the
        // lateness, and never goes back.
        var maxByInput: [Int: Int64] = [:]
        var watermark = Int64.min
        var admitted: [(event: TestEvent, line: Int64)] = []
        for (k, e) in arrivals.enumerated() {
            let late = lateness > 0 && e.time < watermark
            maxByInput[e.input] = max(maxByInput[e.input] ?? .min, e.time)
            let bound = lateness == 0 ? maxByInput.values.max()! : maxByInput.values.min()! - lateness
            watermark = max(watermark, bound)
            if !late { admitted.append((e, Int64(k + 1))) }
        }
        // 2. One match per (event, target), in the order the extractor writes them.
        var matches: [(time: Int64, order: Int, run: () -> Void)] = []
        for (e, line) in admitted {
            for d in e.detections {
                let det = rules.detections[d]
                if det.emitsAlerts {
                    matches.append((e.time, matches.count, { [unowned self] in
                        self.alert(det.meta, group: [], groupKey: [], start: e.time, end: e.time, detected: e.time,
                                   first: e.time, last: e.time, value: 1, lines: [line], isCorrelation: false)
                    }))
                }
                for (c, corr) in rules.correlations.enumerated() {
                    for (i, input) in corr.inputs.enumerated() where input.source == .detection(d) {
                        guard let item = makeItem(e, line, corr, input, i) else { continue }
                        let group = input.groupFields.map { stringValue(e.fields[rules.schema.paths[$0.candidates[0]]]!) }
                        matches.append((e.time, matches.count, { [unowned self] in self.event(c, group, item) }))
                    }
                }
            }
        }
        // 3. Event-time order, ties by arrival; windows ending at or before an event close first.
        matches.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        for m in matches {
            closeWindows(endingAtOrBefore: m.time)
            m.run()
        }
        closeWindows(endingAtOrBefore: .max)
    }

    private func makeItem(_ e: TestEvent, _ line: Int64, _ corr: CorrelationRule, _ input: CorrelationInput, _ i: Int) -> Item? {
        for f in input.groupFields {
            guard e.fields[rules.schema.paths[f.candidates[0]]] != nil else { return nil }
        }
        var value: String? = nil
        var number = 0.0
        if [.valueCount, .valueSum, .valueAvg].contains(corr.kind) {
            guard let f = input.valueField, let v = e.fields[rules.schema.paths[f.candidates[0]]] else { return nil }
            value = stringValue(v)
            if corr.kind != .valueCount {
                guard let n = Double(value!) else { return nil }
                number = n
            }
        }
        return Item(time: e.time, input: i, value: value, number: number, line: line)
    }

    private func stringValue(_ v: TV) -> String {
        switch v {
        case .s(let s): return s
        case .n(let n): return n == n.rounded() ? String(Int64(n)) : String(n)
        }
    }

    // MARK: Windows

    private func span(_ c: Int) -> Int64 { max(1, rules.correlations[c].timespanMs) }

    private func gap(_ c: Int) -> Int64? {
        if case .session(let g) = rules.correlations[c].window { return g }
        return nil
    }

    private func isSliding(_ c: Int) -> Bool { rules.correlations[c].window == .sliding }

    private func bucket(_ t: Int64, _ c: Int) -> Int64 {
        var b = t / span(c) * span(c)
        if b > t { b -= span(c) }
        return b
    }

    private func closeAt(_ key: StateKey, _ s: GroupState) -> Int64 {
        if let g = gap(key.correlation) { return s.lastTime + g + 1 }
        return s.windowStart + span(key.correlation)
    }

    private func windowEnd(_ key: StateKey, _ s: GroupState) -> Int64 {
        if let g = gap(key.correlation) { return s.lastTime + g }
        return s.windowStart + span(key.correlation)
    }

    private func encode(_ group: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for v in group {
            let bytes = Array(v.utf8)
            let n = UInt32(bytes.count)
            out += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
            out += bytes
        }
        return out
    }

    private func closeWindows(endingAtOrBefore t: Int64) {
        while true {
            let due = states.filter { !isSliding($0.key.correlation) && closeAt($0.key, $0.value) <= t }
            guard let next = due.min(by: { a, b in
                let ca = closeAt(a.key, a.value), cb = closeAt(b.key, b.value)
                if ca != cb { return ca < cb }
                if a.key.correlation != b.key.correlation { return a.key.correlation < b.key.correlation }
                return encode(a.key.group).lexicographicallyPrecedes(encode(b.key.group))
            }) else { return }
            close(next.key)
        }
    }

    private func close(_ key: StateKey) {
        let s = states.removeValue(forKey: key)!
        let c = key.correlation
        if !firesEarly(c) && !s.fired && holds(c, s.items) {
            let end = windowEnd(key, s)
            // Handled once the window is known to be over: a session 1 ms after its end.
            fire(c, key.group, start: s.windowStart, end: end, detected: closeAt(key, s), items: s.items)
        }
    }

    private func firesEarly(_ c: Int) -> Bool {
        let r = rules.correlations[c]
        switch r.kind {
        case .temporal, .temporalOrdered: return true
        case .eventCount, .valueCount, .valueSum: return r.condition.isMonotonic
        case .valueAvg, .valuePercentile, .valueMedian: return false
        }
    }

    private func value(_ c: Int, _ items: [Item]) -> Double {
        switch rules.correlations[c].kind {
        case .eventCount: return Double(items.count)
        case .valueCount: return Double(Set(items.map { $0.value! }).count)
        case .valueSum: return items.reduce(0) { $0 + $1.number }
        case .valueAvg: return items.reduce(0) { $0 + $1.number } / Double(items.count)
        case .valuePercentile, .valueMedian:
            // Closest ranks k and k+1 of the sorted values, weighted by the fraction.
            let v = items.map(\.number).sorted()
            let rank = rules.correlations[c].percentile * Double(v.count - 1) / 100
            let k = Int(rank)
            return k + 1 < v.count ? v[k] * (1 - (rank - Double(k))) + v[k + 1] * (rank - Double(k)) : v[k]
        case .temporal, .temporalOrdered: return Double(Set(items.map(\.input)).count)
        }
    }

    private func holds(_ c: Int, _ items: [Item]) -> Bool {
        let r = rules.correlations[c]
        switch r.kind {
        case .temporal:
            return Set(items.map(\.input)) == Set(0..<r.inputs.count)
        case .temporalOrdered:
            // Is 0, 1, ..., n-1 a subsequence of the inputs in processing order?
            var need = 0
            for it in items where it.input == need {
                need += 1
                if need == r.inputs.count { return true }
            }
            return false
        default:
            return r.condition.holds(value(c, items))
        }
    }

    private func event(_ c: Int, _ group: [String], _ item: Item) {
        let key = StateKey(correlation: c, group: group)
        if isSliding(c) {
            var items = (states[key]?.items ?? []).filter { $0.time > item.time - span(c) }
            items.append(item)
            if holds(c, items) {
                states[key] = nil
                // temporal_ordered: the first event of the first listed rule (where the in-order match starts).
                let start = rules.correlations[c].kind == .temporalOrdered
                    ? (items.first { $0.input == 0 } ?? items[0]).time : items[0].time
                fire(c, group, start: start, end: item.time, detected: item.time, items: items)
            } else {
                states[key] = GroupState(items: items)
            }
            return
        }
        if let s = states[key] {
            let ended: Bool
            if let g = gap(c) { ended = item.time > s.lastTime + g } else { ended = bucket(item.time, c) != s.windowStart }
            if ended { close(key) }
        }
        var s = states[key] ?? GroupState(items: [], windowStart: gap(c) != nil ? item.time : bucket(item.time, c))
        s.items.append(item)
        states[key] = s
        if firesEarly(c) && !s.fired && holds(c, s.items) {
            states[key]!.fired = true
            fire(c, group, start: s.windowStart, end: windowEnd(key, s), detected: item.time, items: s.items)
        }
    }

    private func fire(_ c: Int, _ group: [String], start: Int64, end: Int64, detected: Int64, items: [Item]) {
        let r = rules.correlations[c]
        if r.emitsAlerts {
            alert(r.meta, group: group, groupKey: encode(group), start: start, end: end, detected: detected,
                  first: items.map(\.time).min()!, last: items.map(\.time).max()!, value: value(c, items),
                  lines: items.prefix(5).map(\.line), isCorrelation: true)
        }
        for (c2, r2) in rules.correlations.enumerated() where c2 > c {
            guard [.eventCount, .temporal, .temporalOrdered].contains(r2.kind) else { continue }
            for (i2, input) in r2.inputs.enumerated() where input.source == .correlation(c) {
                let g2 = input.groupIndexes.map { group[$0] }
                event(c2, g2, Item(time: detected, input: i2, value: nil, number: value(c, items), line: items.last!.line))
            }
        }
    }

    private func alert(_ meta: RuleMeta, group: [String], groupKey: [UInt8], start: Int64, end: Int64, detected: Int64,
                       first: Int64, last: Int64, value: Double, lines: [Int64], isCorrelation: Bool) {
        let id = isCorrelation
            ? groupKey.withUnsafeBytes { AlertID.make(ruleID: meta.id, groupKey: $0, windowStart: start, eventHash: nil).description }
            : nil
        alerts.append(ComparableAlert(ruleID: meta.id, id: id, group: group, windowStart: start, windowEnd: end,
                                      detectedAt: detected, firstSeen: first, lastSeen: last, value: value,
                                      sampleLines: lines))
    }
}
