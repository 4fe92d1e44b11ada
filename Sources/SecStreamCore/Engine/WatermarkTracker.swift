/// The event-time watermark over one or more inputs (Kafka partitions, files):
/// per input the largest event time seen, minus the lateness; the watermark is
/// the minimum over the inputs that are not idle, and it never goes back.
///
/// An input is idle when no event arrived on it for `idleTimeoutMs` of the
/// caller's wall clock (injected through `setWallClock`, so tests and replays
/// control it). An input that ended (a bounded file read to its end) holds
/// nothing back any more. With lateness 0 the watermark is simply the largest
/// event time seen: events are evaluated in arrival order and none is late.
final class WatermarkTracker {
    let latenessMs: Int64
    let idleTimeoutMs: Int64
    // Per input, written on every event: plain buffers (no uniqueness checks).
    private let maxTime = PlainBuffer<Int64>()
    private let lastActive = PlainBuffer<Int64>()
    private let known = PlainBuffer<Bool>()
    /// The known inputs that have not ended, in no particular order: what the
    /// minimum is taken over (many files, most of them read to their end, must
    /// not cost a pass over all of them per event).
    private let live = PlainBuffer<Int>()
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
    ///
    /// `from`: the time of the input's first event, when known before it is
    /// read (a file not opened yet, its first line peeked). The input then
    /// holds the watermark at that time minus the lateness, as it will once
    /// that event is read, instead of wherever the watermark stands. The
    /// largest time seen is not moved by it: with lateness 0 the watermark
    /// follows only the events read.
    func register(_ input: Int, from: Int64 = .min) {
        guard input >= 0 else { return }
        while known.count <= input { maxTime.append(.min); lastActive.append(0); known.append(false) }
        if !known[input] { known[input] = true; lastActive[input] = wallClock; live.append(input) }
        if from > maxTime[input] { maxTime[input] = from }
    }

    /// The input ended (a bounded file read to its end): it stops holding the
    /// watermark back. An event it still delivered would count for nothing
    /// but its own lateness.
    func end(_ input: Int) {
        guard input >= 0, input < known.count, known[input] else { return }
        for k in 0..<live.count where live[k] == input {
            live[k] = live[live.count - 1]
            _ = live.removeLast()
            recompute()
            return
        }
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
        guard t > maxTime[input] else {
            // An input declared with its first event's time (`register(from:)`)
            // has that time already; the event still counts as the largest seen.
            if t > globalMax { globalMax = t; recompute() }
            return
        }
        maxTime[input] = t
        if t > globalMax { globalMax = t }
        if live.count == 1 && live[0] == input {
            // `recompute` for the one input (a file, stdin), just observed and
            // so active (an event's worth of calls and loads less, on every
            // event of a single input).
            raiseToOwnTime(t)
            return
        }
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

    /// The watermark when the one live input, at `time`, is all that holds it.
    @inline(__always)
    private func raiseToOwnTime(_ time: Int64) {
        let bound = latenessMs > 0 ? time - latenessMs : globalMax
        if bound > watermark { watermark = bound }
    }

    private func recompute() {
        guard globalMax != .min else { return }
        if live.count == 1 {
            // One input (a file, stdin), just observed or ticking: the minimum is its own time.
            let i = live[0]
            let idle = idleTimeoutMs > 0 && wallClock - lastActive[i] >= idleTimeoutMs
            if (!idle && maxTime[i] != .min) || latenessMs == 0 {
                raiseToOwnTime(maxTime[i])
                return
            }
        }
        var bound = globalMax
        if latenessMs > 0 {
            var minActive = Int64.max
            for k in 0..<live.count {
                let i = live[k]
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
