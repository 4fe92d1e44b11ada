/// Every detection rule's compiled condition in one flat buffer, for the
/// per-event loop on the worker threads: asking N rules about an event reads
/// N plain `MatchNode` values instead of N class references out of an array
/// of rules (each of which would be retained and released per event).
/// Immutable after init; shared by all workers.
public final class DetectionMatcherSet: @unchecked Sendable {
    /// Keeps every matcher (and so the arena its root points into) alive.
    private let matchers: [DetectionMatcher]
    private let roots: UnsafeMutableBufferPointer<MatchNode>

    public init(_ detections: [DetectionRule]) {
        matchers = detections.map(\.matcher)
        roots = .allocate(capacity: matchers.count)
        _ = roots.initialize(from: matchers.map(\.root))
    }

    deinit {
        roots.deinitialize()
        roots.deallocate()
    }

    public var count: Int { roots.count }

    /// Calls `body` with the index of each detection `event` satisfies, in rule order.
    @inline(__always)
    public func forEachMatch(_ event: EventView, _ body: (Int) throws -> Void) rethrows {
        for d in 0..<roots.count where roots[d].matches(event) { try body(d) }
    }
}
