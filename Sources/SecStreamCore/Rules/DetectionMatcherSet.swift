/// Every detection rule's compiled condition in flat buffers, grouped by
/// route (the logsource as events show it), for the per-event loop on the
/// worker threads. An event tests each distinct route once and evaluates only
/// the rules behind the routes that hold, plus the unrouted rules: the cost
/// per event follows the rules of its logsource, not the size of the pack.
/// Asking a rule reads a plain `MatchNode` value instead of a class reference
/// (retained and released per event). Immutable after init; shared by all workers.
public final class DetectionMatcherSet: @unchecked Sendable {
    /// Keeps every matcher (and so the arena its root points into) alive.
    private let matchers: [DetectionMatcher]
    private let roots: UnsafeMutableBufferPointer<MatchNode>
    /// Rules with no route, evaluated on every event, in rule order.
    private let unrouted: UnsafeMutableBufferPointer<Int32>
    /// One entry per distinct route: its condition and its rules in rule order.
    private let routes: UnsafeMutableBufferPointer<(condition: MatchNode, rules: UnsafeMutableBufferPointer<Int32>)>

    public init(_ detections: [DetectionRule]) {
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
        for r in routes { r.rules.deallocate() }
        routes.deallocate()
    }

    public var count: Int { roots.count }
    /// Distinct routes (logsources as events show them).
    public var routeCount: Int { routes.count }

    /// Calls `body` with the index of each detection `event` satisfies, in rule order.
    @inline(__always)
    public func forEachMatch(_ event: EventView, _ body: (Int) throws -> Void) rethrows {
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
