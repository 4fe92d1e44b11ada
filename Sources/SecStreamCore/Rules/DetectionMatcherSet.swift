/// Every detection rule's compiled condition in flat buffers, grouped by
/// route (the logsource as events show it), for the per-event loop on the
/// worker threads. An event tests each distinct route once and evaluates only
/// the rules behind the routes that hold, plus the unrouted rules: the cost
/// per event follows the rules of its logsource, not the size of the pack.
/// Asking a rule reads a plain `MatchNode` value instead of a class reference
/// (retained and released per event). Immutable after init; shared by all workers.
///
/// Within the routes, a literal prefilter (`LiteralPrefilter`) drops the rules
/// whose needles (`RuleNeedles`) do not occur in the event: per event, one
/// Hyperscan scan per needle field, then the exact matcher confirms only the
/// rules hit and those without needles. Candidates are a bitset over rule
/// indices, so they come out in rule order without sorting.
public final class DetectionMatcherSet: @unchecked Sendable {
    /// Keeps every matcher (and so the arena its root points into) alive.
    private let matchers: [DetectionMatcher]
    private let roots: UnsafeMutableBufferPointer<MatchNode>
    /// Rules with no route, evaluated on every event, in rule order.
    private let unrouted: UnsafeMutableBufferPointer<Int32>
    /// One entry per distinct route: its condition and its rules in rule order.
    private let routes: UnsafeMutableBufferPointer<(condition: MatchNode, rules: UnsafeMutableBufferPointer<Int32>)>

    /// 64-bit words in a bitset over the rules.
    private let words: Int
    /// `words` each: the unrouted rules, the rules without needles, then each route's rules.
    private let unroutedMask: UnsafeMutableBufferPointer<UInt64>
    private let alwaysMask: UnsafeMutableBufferPointer<UInt64>
    private let routeMasks: UnsafeMutableBufferPointer<UInt64>
    /// Rules with two needle sets (an AND): both must hit.
    private let twoSetMask: UnsafeMutableBufferPointer<UInt64>
    /// nil when prefiltering is off or Hyperscan cannot run here.
    let prefilter: LiteralPrefilter?
    /// Rules evaluated on every event of their routes (no needle set).
    public let alwaysEvaluatedCount: Int

    public convenience init(_ detections: [DetectionRule]) {
        self.init(detections, prefilter: true)
    }

    public init(_ detections: [DetectionRule], prefilter usePrefilter: Bool) {
        var keep = detections.map(\.matcher)
        roots = .allocate(capacity: detections.count)
        _ = roots.initialize(from: detections.map(\.matcher.root))
        var unroutedList: [Int32] = []
        var routeIndex: [String: Int] = [:]
        var routeList: [(condition: MatchNode, rules: [Int32])] = []
        for (d, rule) in detections.enumerated() {
            guard let route = rule.route else { unroutedList.append(Int32(d)); continue }
            if let r = routeIndex[route.key] {
                routeList[r].rules.append(Int32(d))
            } else {
                routeIndex[route.key] = routeList.count
                routeList.append((route.matcher.root, [Int32(d)]))
                keep.append(route.matcher)
            }
        }
        matchers = keep
        unrouted = DetectionMatcherSet.buffer(unroutedList)
        routes = .allocate(capacity: routeList.count)
        _ = routes.initialize(from: routeList.map { ($0.condition, DetectionMatcherSet.buffer($0.rules)) })

        let words = (detections.count + 63) / 64
        self.words = words
        func mask(_ rules: [Int32]) -> UnsafeMutableBufferPointer<UInt64> {
            let m = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(words, 1))
            m.initialize(repeating: 0)
            for r in rules { m[Int(r) >> 6] |= 1 << UInt64(r & 63) }
            return m
        }
        unroutedMask = mask(unroutedList)
        routeMasks = .allocate(capacity: max(words * routeList.count, 1))
        routeMasks.initialize(repeating: 0)
        for (i, r) in routeList.enumerated() {
            for d in r.rules { routeMasks[i * words + Int(d) >> 6] |= 1 << UInt64(d & 63) }
        }
        // Prefilter bits: rule d's first needle set at bit d, its second (if any) at bit 64 * words + d.
        // A small pack (the built-in one) keeps the plain loop: scans would cost more than they save.
        let prefiltering = usePrefilter && detections.count >= DetectionMatcherSet.minimumRulesToScan
        var needles: [Needle: [Int32]] = [:]
        var always: [Int32] = []
        var twoSets: [Int32] = []
        for (d, rule) in detections.enumerated() {
            let groups = prefiltering ? RuleNeedles.groups(rule.matcher.root) : []
            guard !groups.isEmpty else { always.append(Int32(d)); continue }
            for (g, set) in groups.enumerated() {
                for n in set { needles[n, default: []].append(Int32(g * 64 * words + d)) }
            }
            if groups.count > 1 { twoSets.append(Int32(d)) }
        }
        prefilter = prefiltering ? LiteralPrefilter(needles: needles) : nil
        alwaysEvaluatedCount = always.count
        alwaysMask = mask(always)
        twoSetMask = mask(twoSets)
    }

    private static func buffer(_ values: [Int32]) -> UnsafeMutableBufferPointer<Int32> {
        let b = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(values.count, 1))
        _ = b.initialize(from: values)
        return UnsafeMutableBufferPointer(rebasing: b[0..<values.count])
    }

    deinit {
        roots.deinitialize()
        roots.deallocate()
        unrouted.deallocate()
        unroutedMask.deallocate()
        alwaysMask.deallocate()
        twoSetMask.deallocate()
        routeMasks.deallocate()
        for r in routes { r.rules.deallocate() }
        routes.deallocate()
    }

    public var count: Int { roots.count }
    /// Distinct routes (logsources as events show them).
    public var routeCount: Int { routes.count }

    /// Below this many candidate rules with needles, an event skips the scans
    /// and evaluates them all.
    static let minimumRulesToScan = 32

    /// Distinct needles in the prefilter (0 without one).
    public var needleCount: Int { prefilter?.needleCount ?? 0 }

    /// Calls `body` with the index of each detection `event` satisfies, in rule order.
    @inline(__always)
    public func forEachMatch(_ event: EventView, _ body: (Int) throws -> Void) rethrows {
        guard let prefilter else { return try forEachMatchUnfiltered(event, body) }
        let w = words
        guard w > 0 else { return }
        try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 3 * w) { buffer in
            let candidates = UnsafeMutableBufferPointer(rebasing: buffer[0..<w])
            // First needle sets hit, then second ones.
            let hits = UnsafeMutableBufferPointer(rebasing: buffer[w..<(3 * w)])
            // Rules of the routes that hold, and the unrouted ones.
            _ = candidates.initialize(from: unroutedMask)
            for (i, r) in routes.enumerated() where r.condition.matches(event) {
                let m = routeMasks.baseAddress! + i * w
                for k in 0..<w { candidates[k] |= m[k] }
            }
            // Scan only when enough candidates have needles: a few rules cost
            // less to evaluate than the scans (the built-in pack, small routes).
            var withNeedles = 0
            for k in 0..<w { withNeedles &+= (candidates[k] & ~alwaysMask[k]).nonzeroBitCount }
            if withNeedles >= DetectionMatcherSet.minimumRulesToScan {
                hits.initialize(repeating: 0)
                prefilter.markHits(event, into: hits)
            } else {
                hits.initialize(repeating: ~0)
            }
            for k in 0..<w {
                var bits = candidates[k] & (alwaysMask[k] | (hits[k] & (hits[w &+ k] | ~twoSetMask[k])))
                while bits != 0 {
                    let d = k &* 64 &+ bits.trailingZeroBitCount
                    bits &= bits &- 1
                    if roots[d].matches(event) { try body(d) }
                }
            }
        }
    }

    /// `forEachMatch` without the prefilter: every rule of the routes that hold
    /// (the reference the prefilter's differential test compares against).
    public func forEachMatchUnfiltered(_ event: EventView, _ body: (Int) throws -> Void) rethrows {
        if routes.isEmpty {
            for d in unrouted where roots[Int(d)].matches(event) { try body(Int(d)) }
            return
        }
        try withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(roots.count, 1)) { hits in
            var n = 0
            var groups = 0
            for d in unrouted where roots[Int(d)].matches(event) { hits[n] = d; n += 1 }
            if n > 0 { groups += 1 }
            for r in routes where r.condition.matches(event) {
                let before = n
                for d in r.rules where roots[Int(d)].matches(event) { hits[n] = d; n += 1 }
                if n > before { groups += 1 }
            }
            // Matches from several groups interleave: restore rule order (few hits per event).
            if groups > 1 {
                for i in 1..<n {
                    let v = hits[i]
                    var j = i
                    while j > 0 && hits[j - 1] > v { hits[j] = hits[j - 1]; j -= 1 }
                    hits[j] = v
                }
            }
            for i in 0..<n { try body(Int(hits[i])) }
        }
    }
}
