/// Keeps events with forged or skewed future timestamps from moving the
/// watermark (`--max-future-skew`), so that one line dated 2099 cannot make
/// every valid event after it late.
///
/// Per input (a file, a Kafka partition):
/// - The first `quorum` events are held and judged together: their lower
///   median is the input's starting frontier, so up to `quorum / 2 - 1` forged
///   times among them, in either direction, cannot set it.
/// - After that, an event more than `skew` ahead of the largest time the input
///   has accepted is held aside instead of admitted.
/// - Held events are released (admitted, in arrival order) when the input's
///   accepted time comes within `skew` of them, or when `quorum` of them have
///   gathered: a real jump (traffic resumes after a quiet night, an archive
///   replay crosses days) is many events, and their lower median becomes the
///   new frontier. A few forged lines never make a quorum.
/// - At the end of bounded input, inputs still gathering their first events are
///   judged with what they have, and every event still held is rejected as
///   `future` (dead-lettered by the caller with its bytes).
///
/// The gate decides; the engine admits. Each held event keeps its match
/// records (already interned) until it is released or rejected.
final class FutureGate {
    /// A held event: its time, input and match records (arrival not yet assigned).
    struct Held {
        var id: Int64
        var time: Int64
        var input: Int
        var records: [PendingMatch]
    }

    /// What became of a held event.
    enum Outcome {
        /// Admit it now (the engine then tells the caller whether it was on time).
        case release(Held)
        /// Too far ahead for good: the caller dead-letters it with reason `future`.
        case reject(Held, frontier: Int64)
    }

    private struct Input {
        /// Largest accepted event time; `nil` while the first events gather.
        var frontier: Int64?
        var held: [Held] = []
        /// Wall clock (ms) when the first of the events still gathering arrived.
        var gatheringSince: Int64 = 0
    }

    let skewMs: Int64
    let quorum: Int
    /// Most events held at once; past it the oldest held beyond the skew is rejected.
    let capacity: Int
    // `@exclusivity(unchecked)` on this state: only the engine thread touches it,
    // never through overlapping accesses, and the runtime's dynamic check of each
    // access (a thread-local access set) was 11% of the instructions per event of
    // the built-in pack. Bounds and overflow checks stay on.
    @exclusivity(unchecked) private var inputs: [Input] = []
    @exclusivity(unchecked) private var nextID: Int64 = 0
    @exclusivity(unchecked) private(set) var heldCount = 0
    @exclusivity(unchecked) private var wallClock: Int64 = 0

    init(skewMs: Int64, quorum: Int, capacity: Int = 65_536) {
        self.skewMs = skewMs
        self.quorum = max(1, quorum)
        self.capacity = max(1, capacity)
    }

    var isEnabled: Bool { skewMs > 0 }

    /// The oldest held event time (a Kafka checkpoint must keep its record).
    var oldestHeldTime: Int64? {
        var oldest: Int64?
        for i in inputs { for h in i.held { oldest = min(oldest ?? h.time, h.time) } }
        return oldest
    }

    /// Whether an event at `time` on `input` must be held (then call `hold`).
    @inline(__always)
    func mustHold(_ time: Int64, input: Int) -> Bool {
        guard input < inputs.count, let frontier = inputs[input].frontier else { return true }
        return time > frontier &+ skewMs
    }

    /// Holds an event; returns its id and what its arrival decided (a quorum
    /// reached releases or rejects events, this one included).
    func hold(_ time: Int64, input: Int, records: [PendingMatch], into outcomes: inout [Outcome]) -> Int64 {
        while inputs.count <= input { inputs.append(Input()) }
        let id = nextID
        nextID += 1
        if inputs[input].frontier == nil && inputs[input].held.isEmpty { inputs[input].gatheringSince = wallClock }
        inputs[input].held.append(Held(id: id, time: time, input: input, records: records))
        heldCount += 1
        if inputs[input].held.count >= quorum { settle(input, into: &outcomes) }
        if heldCount > capacity { evictOne(into: &outcomes) }
        return id
    }

    /// The input accepted an event at `time`: held events now within the skew are released.
    @inline(__always)
    func accepted(_ time: Int64, input: Int, into outcomes: inout [Outcome]) {
        while inputs.count <= input { inputs.append(Input()) }
        let f = inputs[input].frontier ?? .min
        if time > f { inputs[input].frontier = time }
        if !inputs[input].held.isEmpty { releaseWithinSkew(input, into: &outcomes) }
    }

    /// A followed file or a partition that delivers fewer than `quorum` events
    /// must not hold them for ever: after `patienceMs` of wall clock, what has
    /// gathered is judged as it is (0 = wait for the quorum or the end).
    func advance(wallClock now: Int64, patienceMs: Int64, into outcomes: inout [Outcome]) {
        wallClock = max(wallClock, now)
        guard patienceMs > 0 else { return }
        for i in inputs.indices where inputs[i].frontier == nil && !inputs[i].held.isEmpty
            && wallClock - inputs[i].gatheringSince >= patienceMs {
            settle(i, into: &outcomes)
        }
    }

    /// End of bounded input: judge what is still gathering, reject the rest.
    func finish(into outcomes: inout [Outcome]) {
        for i in inputs.indices where inputs[i].frontier == nil && !inputs[i].held.isEmpty {
            settle(i, into: &outcomes)
        }
        for i in inputs.indices {
            for h in inputs[i].held {
                outcomes.append(.reject(h, frontier: inputs[i].frontier ?? h.time))
            }
            heldCount -= inputs[i].held.count
            inputs[i].held.removeAll()
        }
    }

    /// One input ended (a bounded file read to its end): no later event of it
    /// can make a quorum or catch up, so what is gathering is judged as it
    /// is, and what is still too far ahead is rejected.
    func end(_ input: Int, into outcomes: inout [Outcome]) {
        guard input >= 0, input < inputs.count, !inputs[input].held.isEmpty else { return }
        if inputs[input].frontier == nil { settle(input, into: &outcomes) }
        for h in inputs[input].held {
            outcomes.append(.reject(h, frontier: inputs[input].frontier ?? h.time))
        }
        heldCount -= inputs[input].held.count
        inputs[input].held.removeAll()
    }

    /// `quorum` held events (or the end of input): their lower median is the
    /// frontier; those within the skew of it are released in arrival order.
    private func settle(_ input: Int, into outcomes: inout [Outcome]) {
        let times = inputs[input].held.map(\.time).sorted()
        let median = times[(times.count - 1) / 2]
        let f = inputs[input].frontier ?? .min
        if median > f { inputs[input].frontier = median }
        releaseWithinSkew(input, into: &outcomes)
    }

    private func releaseWithinSkew(_ input: Int, into outcomes: inout [Outcome]) {
        guard let frontier = inputs[input].frontier else { return }
        let bound = frontier &+ skewMs
        var kept: [Held] = []
        for h in inputs[input].held {
            if h.time <= bound {
                outcomes.append(.release(h))
                heldCount -= 1
            } else {
                kept.append(h)
            }
        }
        inputs[input].held = kept
    }

    /// Over capacity: reject the held event furthest ahead (an input still
    /// gathering its first events keeps them).
    private func evictOne(into outcomes: inout [Outcome]) {
        var best: (input: Int, index: Int, time: Int64)?
        for (i, state) in inputs.enumerated() where state.frontier != nil {
            for (k, h) in state.held.enumerated() where best == nil || h.time > best!.time {
                best = (i, k, h.time)
            }
        }
        guard let best else { return }
        let h = inputs[best.input].held.remove(at: best.index)
        heldCount -= 1
        outcomes.append(.reject(h, frontier: inputs[best.input].frontier ?? h.time))
    }
}
