/// Every detection rule's compiled condition in flat buffers, grouped by
/// route (the logsource as events show it), for the per-event loop on the
/// worker threads. An event tests each distinct route at most once (the
/// `RouteIndex` picks those its Channel and EventID can satisfy) and evaluates only
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
    /// One condition per distinct route; route `i`'s rules are its bitset in `routeMasks`.
    private let routeConditions: UnsafeMutableBufferPointer<MatchNode>

    /// 64-bit words in a bitset over the rules.
    private let words: Int
    /// `words` each: the unrouted rules, the rules without needles, then each route's rules.
    private let unroutedMask: UnsafeMutableBufferPointer<UInt64>
    private let alwaysMask: UnsafeMutableBufferPointer<UInt64>
    private let routeMasks: UnsafeMutableBufferPointer<UInt64>
    /// Rules with two needle sets (an AND): both must hit.
    private let twoSetMask: UnsafeMutableBufferPointer<UInt64>
    /// nil when the pack is small or Hyperscan cannot run here.
    let prefilter: LiteralPrefilter?
    /// Picks the routes worth testing per event; nil: test them all (few routes).
    private let routeIndex: RouteIndex?
    /// The summed `MatchNode.cost` of the rules with needles: unrouted, then per route.
    private let unroutedNeedleCost: Int
    private let routeNeedleCosts: UnsafeMutableBufferPointer<Int>
    /// 64-bit words in a bitset over the prefilter's targets (its fields and the line).
    private let targetWords: Int
    /// `targetWords` each: the targets holding a needle of an unrouted rule,
    /// then of each route's rules (an event scans the union over its routes).
    private let unroutedTargets: UnsafeMutableBufferPointer<UInt64>
    private let routeTargets: UnsafeMutableBufferPointer<UInt64>

    /// `cache`: where the prefilter keeps its compiled databases between runs (nil: none).
    public init(_ detections: [DetectionRule], cache: PrefilterCache? = nil) {
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
        let conditions = UnsafeMutableBufferPointer<MatchNode>.allocate(capacity: max(routeList.count, 1))
        _ = conditions.initialize(from: routeList.map(\.condition))
        routeConditions = UnsafeMutableBufferPointer(rebasing: conditions[0..<routeList.count])
        self.routeIndex = RouteIndex(routeList.map(\.condition))

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
        let prefiltering = detections.count >= DetectionMatcherSet.minimumRulesToScan
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
        prefilter = prefiltering ? LiteralPrefilter(needles: needles, ruleBits: 64 * words, cache: cache) : nil
        alwaysMask = mask(always)
        twoSetMask = mask(twoSets)
        let alwaysSet = Set(always)
        func needleCost(_ rules: [Int32]) -> Int {
            rules.reduce(0) { $0 + (alwaysSet.contains($1) ? 0 : detections[Int($1)].matcher.root.cost) }
        }
        unroutedNeedleCost = needleCost(unroutedList)
        routeNeedleCosts = .allocate(capacity: max(routeList.count, 1))
        routeNeedleCosts.initialize(repeating: 0)
        for (i, r) in routeList.enumerated() { routeNeedleCosts[i] = needleCost(r.rules) }
        let targetWords = prefilter.map { ($0.targetCount + 63) / 64 } ?? 0
        self.targetWords = targetWords
        unroutedTargets = .allocate(capacity: max(targetWords, 1))
        unroutedTargets.initialize(repeating: 0)
        routeTargets = .allocate(capacity: max(targetWords * routeList.count, 1))
        routeTargets.initialize(repeating: 0)
        if let prefilter {
            _ = unroutedTargets.update(from: prefilter.targets(concerning: unroutedMask))
            for i in routeList.indices {
                let targets = prefilter.targets(concerning: UnsafeMutableBufferPointer(rebasing: routeMasks[i * words..<(i + 1) * words]))
                for k in 0..<targetWords { routeTargets[i * targetWords + k] = targets[k] }
            }
        }
    }

    deinit {
        roots.deinitialize()
        roots.deallocate()
        routeConditions.baseAddress?.deallocate()
        unroutedMask.deallocate()
        alwaysMask.deallocate()
        twoSetMask.deallocate()
        routeMasks.deallocate()
        routeNeedleCosts.deallocate()
        unroutedTargets.deallocate()
        routeTargets.deallocate()
    }

    public var count: Int { roots.count }
    /// Distinct routes (logsources as events show them).
    public var routeCount: Int { routeConditions.count }

    /// Below this many rules, a set has no prefilter (the built-in pack):
    /// its scans would cost more than they save.
    static let minimumRulesToScan = 32
    /// Below this summed `MatchNode.cost` of the candidate rules with needles,
    /// an event skips the scans and evaluates them all. Counted in cost, not
    /// rules: a route of twenty rules with long `contains` lists (DNS
    /// queries) costs more to evaluate than one scan per field.
    static let minimumCostToScan = 48

    /// Distinct needles in the prefilter (0 without one).
    public var needleCount: Int { prefilter?.needleCount ?? 0 }

    /// Calls `body` with the index of each detection `event` satisfies, in rule order.
    @inline(__always)
    public func forEachMatch(_ event: EventView, _ body: (Int) throws -> Void) rethrows {
        try match(event, prefilter: prefilter, routeIndex: routeIndex, body)
    }

    /// `forEachMatch` without the prefilter and the route index: every route
    /// tested, every rule of the routes that hold evaluated (the reference the
    /// prefilter's differential test compares against).
    public func forEachMatchUnfiltered(_ event: EventView, _ body: (Int) throws -> Void) rethrows {
        try match(event, prefilter: nil, routeIndex: nil, body)
    }

    /// The candidates are a bitset over rule indices (the unrouted rules and
    /// those of the routes that hold, less the rules whose needles missed), so
    /// they come out in rule order without sorting.
    @inline(__always)
    private func match(_ event: EventView, prefilter: LiteralPrefilter?, routeIndex: RouteIndex?,
                       _ body: (Int) throws -> Void) rethrows {
        let w = words
        guard w > 0 else { return }
        if w == 1 && prefilter == nil {
            // Up to 64 rules without a prefilter (the built-in pack, a team's
            // own handful): the candidates are one word in a register, not
            // bitsets in a temporary buffer (the general path's set-up was a
            // fifth of matching the two bench rules).
            var candidates = unroutedMask[0]
            let conditions = routeConditions
            let masks = routeMasks.baseAddress!
            withUnsafeMutablePointer(to: &candidates) { c in
                // The route test captures the pointer, not the variable (a
                // captured `var` is boxed on the heap).
                if let routeIndex {
                    routeIndex.forEachCandidate(event) { i in if conditions[i].matches(event) { c.pointee |= masks[i] } }
                } else {
                    for i in 0..<conditions.count where conditions[i].matches(event) { c.pointee |= masks[i] }
                }
            }
            while candidates != 0 {
                let d = candidates.trailingZeroBitCount
                candidates &= candidates &- 1
                if roots[d].matches(event) { try body(d) }
            }
            return
        }
        let tw = prefilter == nil ? 0 : targetWords
        // One more word holds the needle cost, so the route test below captures
        // no mutable local (a captured `var` was boxed on the heap per event).
        try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 3 * w + tw + 1) { buffer in
            let candidates = UnsafeMutableBufferPointer(rebasing: buffer[0..<w])
            // First needle sets hit, then second ones.
            let hits = UnsafeMutableBufferPointer(rebasing: buffer[w..<(3 * w)])
            let targets = UnsafeMutableBufferPointer(rebasing: buffer[(3 * w)..<(3 * w + tw)])
            let cost = buffer.baseAddress! + (3 * w + tw)
            _ = candidates.initialize(from: unroutedMask)
            if tw > 0 { _ = targets.initialize(from: UnsafeMutableBufferPointer(rebasing: unroutedTargets[0..<tw])) }
            let conditions = routeConditions
            let masks = routeMasks.baseAddress!
            let routeTargets = routeTargets.baseAddress!
            cost.pointee = UInt64(bitPattern: Int64(unroutedNeedleCost))
            @inline(__always) func test(_ i: Int) {
                guard conditions[i].matches(event) else { return }
                let m = masks + i &* w
                for k in 0..<w { candidates[k] |= m[k] }
                let t = routeTargets + i &* tw
                for k in 0..<tw { targets[k] |= t[k] }
                cost.pointee &+= UInt64(bitPattern: Int64(routeNeedleCosts[i]))
            }
            if let routeIndex {
                routeIndex.forEachCandidate(event, test)
            } else {
                for i in 0..<conditions.count { test(i) }
            }
            // Scan only when the candidates with needles cost enough to
            // evaluate: a few cheap rules cost less than the scans.
            if let prefilter, Int(truncatingIfNeeded: cost.pointee) >= DetectionMatcherSet.minimumCostToScan {
                hits.initialize(repeating: 0)
                prefilter.markHits(event, targets: targets, into: hits)
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
}

