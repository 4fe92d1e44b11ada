/// The event-time watermark over one or more inputs (Kafka partitions, files):
/// per input the largest event time seen, minus the lateness; the watermark is
/// the minimum over the inputs that are not idle, and it never goes back.
///
/// An input is idle when no event arrived on it for `idleTimeoutMs` of the
/// caller's wall clock (injected through `setWallClock`, so tests and replays
/// control it). With lateness 0 the watermark is simply the largest event time
/// seen: events are evaluated in arrival order and none is late.
final class WatermarkTracker {
    let latenessMs: Int64
    let idleTimeoutMs: Int64
    // Per input, written on every event: plain buffers (no uniqueness checks).
    private let maxTime = PlainBuffer<Int64>()
    private let lastActive = PlainBuffer<Int64>()
    private let known = PlainBuffer<Bool>()
    // `@exclusivity(unchecked)` on this state: only the engine thread touches it,
    // never through overlapping accesses, and the runtime's dynamic check of each
    // access (a thread-local access set) was 11% of the instructions per event of
    // the built-in pack. Bounds and overflow checks stay on.
    @exclusivity(unchecked) private var globalMax = Int64.min
    @exclusivity(unchecked) private var wallClock: Int64 = 0
    @exclusivity(unchecked) private(set) var watermark = Int64.min

    init(latenessMs: Int64, idleTimeoutMs: Int64) {
        self.latenessMs = max(0, latenessMs)
        self.idleTimeoutMs = idleTimeoutMs
    }

    /// Declares an input before its first event, so that it holds the watermark
    /// back from the start (until it goes idle), as an assigned but slow partition must.
    func register(_ input: Int) {
        guard input >= 0 else { return }
        while known.count <= input { maxTime.append(.min); lastActive.append(0); known.append(false) }
        if !known[input] { known[input] = true; lastActive[input] = wallClock }
    }

    @inline(__always)
    func isLate(_ t: Int64) -> Bool { latenessMs > 0 && t < watermark }

    /// Records an event of `input` (on time or late) and moves the watermark.
    /// Only a larger time for the input can raise the bound (an input turning
    /// active again can only lower the minimum, and the watermark never goes
    /// back), so most events skip the recomputation.
    func observe(_ t: Int64, input: Int) {
        if input >= known.count || !known[input] { register(input) }
        lastActive[input] = wallClock
        guard t > maxTime[input] else { return }
        maxTime[input] = t
        if t > globalMax { globalMax = t }
        recompute()
    }

    /// Marks an input alive without an event (a Kafka partition with records
    /// still to deliver). It can only lower the minimum, and the watermark
    /// never goes back, so nothing is recomputed.
    func touch(_ input: Int) {
        if input >= known.count || !known[input] { register(input) }
        lastActive[input] = wallClock
    }

    /// The largest event time seen per input (for metrics: called once per
    /// job, not per event), inputs without an event yet left out.
    func forEachInputTime(_ body: (_ input: Int, _ maxTime: Int64) -> Void) {
        for i in 0..<known.count where known[i] && maxTime[i] != .min { body(i, maxTime[i]) }
    }

    func setWallClock(_ now: Int64) {
        wallClock = max(wallClock, now)
        recompute()
    }

    private func recompute() {
        guard globalMax != .min else { return }
        if known.count == 1 {
            // One input (a file, stdin), just observed or ticking: the minimum is its own time.
            let idle = idleTimeoutMs > 0 && wallClock - lastActive[0] >= idleTimeoutMs
            if (!idle && maxTime[0] != .min) || latenessMs == 0 {
                let bound = latenessMs > 0 ? maxTime[0] - latenessMs : globalMax
                if bound > watermark { watermark = bound }
                return
            }
        }
        var bound = globalMax
        if latenessMs > 0 {
            var minActive = Int64.max
            for i in 0..<known.count where known[i] {
                let idle = idleTimeoutMs > 0 && wallClock - lastActive[i] >= idleTimeoutMs
                if !idle { minActive = min(minActive, maxTime[i]) }
            }
            if minActive != .max { bound = minActive }
            if bound == .min { return }
            bound -= latenessMs
        }
        if bound > watermark { watermark = bound }
    }
}
