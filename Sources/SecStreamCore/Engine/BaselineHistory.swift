/// What one baseline correlation has learned (docs/windows.md, "Baselines"):
/// per group (the `group-by` values), the values of its last `history /
/// timespan` tumbling windows, as a ring indexed by window number
/// (window start / timespan), zeros included.
///
/// Why a ring of values and not running statistics: `mad` needs the values
/// (a median cannot be updated incrementally), a window must be compared
/// with exactly the windows of `history` before it (running statistics with
/// exponential forgetting would weigh them by age instead), and a season
/// bucket's history is a subset of the same ring (the windows whose start
/// falls in the same hour of the day or week), so one ring per group serves
/// every season. The cost is 4 bytes (a `Float`) per window of history per
/// group: 14d of 1h windows is 1344 bytes, of 5m windows 16 KiB; the rule
/// loader refuses more than `BaselineSpec.maxWindowsPerGroup` windows.
///
/// Idle windows count as zeros without a timer per idle group: a group's
/// windows are numbered, and when its next window closes the windows
/// between its last learned one and this one are written as zeros (at most
/// a ring's worth). A group's windows only count from its first one: before
/// it, the group was unknown, not quiet. A group with no window within
/// `history` has nothing left but zeros and is forgotten (its next window
/// starts a new history), which also frees idle groups.
///
/// Groups are known by 64-bit stable hashes of their key bytes, like
/// `NewTermsHistory`; two colliding groups share one history. Memory is
/// bounded by `--max-state`: `evict(downTo:)` drops the least recently
/// scored groups first (recency in window-closing order, which is event-time
/// order, so what is forgotten is a function of the events alone).
final class BaselineHistory {
    let spec: BaselineSpec
    let spanMs: Int64
    /// Windows kept per group: `history / timespan`.
    let capacity: Int
    /// Windows per hour (a seasonal baseline's timespan divides 1h).
    private let windowsPerHour: Int64
    /// Windows per season period, and the offset that makes bucket 0 start
    /// on a Monday (the epoch was a Thursday) for hour-of-week.
    private let windowsPerPeriod: Int64
    private let periodOffset: Int64
    /// Groups forgotten to stay under `--max-state`.
    private(set) var evictedGroups = 0
    /// Windows not after their group's last learned one (events older than a
    /// loaded baseline): neither scored nor learned.
    private(set) var staleWindows = 0
    var liveGroups: Int { index.count }

    struct Group: RecencyLinked {
        var hash: UInt64
        /// Window number of the group's first window (its history starts there).
        var first: Int64
        /// Window number of the newest value in the ring.
        var last: Int64
        var older: Int32
        var newer: Int32
    }

    private var index: [UInt64: Int32] = [:]
    private var groups: [Group] = []
    /// Slot g's ring is `values[g * capacity ..< (g + 1) * capacity]`; window k at `k mod capacity`.
    private var values: [Float] = []
    private var freeSlots: [Int32] = []
    /// Groups, least recently scored first.
    private var recency = RecencyList()
    /// The history of the window being scored (reused).
    private var scratch: [Double] = []

    init(spec: BaselineSpec, timespanMs: Int64) {
        self.spec = spec
        spanMs = max(1, timespanMs)
        capacity = max(1, Int(spec.historyMs / spanMs))
        windowsPerHour = max(1, 3_600_000 / spanMs)
        windowsPerPeriod = spec.season.periodMs / spanMs
        periodOffset = spec.season == .hourOfWeek ? 3 * 24 * windowsPerHour : 0
    }

    /// Estimated bytes per group: its record, its ring, and its hash-table
    /// slot (key and value) counted twice, as a Swift dictionary keeps
    /// between 1.3 and 2.7 slots per entry.
    var bytesPerGroup: Int {
        MemoryLayout<Group>.stride + capacity * MemoryLayout<Float>.stride
            + 2 * (MemoryLayout<UInt64>.stride + MemoryLayout<Int32>.stride)
    }

    var estimatedBytes: Int { liveGroups &* bytesPerGroup }

    /// The closed window starting at `windowStart` of the group `key` had
    /// `value`: scores it against the group's history (nil when the group
    /// lacks the minimum support), then learns it. The caller fires when the
    /// score reaches `spec.threshold`.
    func observe(key: UnsafeRawBufferPointer, windowStart: Int64, value: Double) -> BaselineScore? {
        let w = floorDiv(windowStart, spanMs)
        forgetExpiredGroups(before: w)
        let hash = stableHash64(key)
        guard let g = index[hash] else {
            let g = addGroup(hash, first: w)
            store(value, window: w, slot: g)
            return nil
        }
        var r = groups[Int(g)]
        guard w > r.last else {
            staleWindows += 1
            return nil
        }
        recency.touch(g, in: &groups)
        if w - r.last > Int64(capacity) {
            // Nothing but zeros left: a new history from this window.
            r.first = w
        } else {
            // The idle windows since the last one are zeros.
            var k = r.last + 1
            while k < w { store(0, window: k, slot: g); k += 1 }
        }
        r.last = w - 1
        groups[Int(g)].first = r.first
        let score = supported(r, window: w) ? score(value, window: w, slot: g) : nil
        store(value, window: w, slot: g)
        groups[Int(g)].last = w
        return score
    }

    /// Minimum support: the group's first window is at least `min_history`
    /// before this one, and this window's bucket has `min_samples` windows.
    private func supported(_ r: Group, window w: Int64) -> Bool {
        (w - r.first) * spanMs >= spec.minHistoryMs
    }

    /// Gathers the window's history (its season bucket's windows in
    /// `[w − capacity, w)`, from the group's first on) and scores the value.
    private func score(_ value: Double, window w: Int64, slot g: Int32) -> BaselineScore? {
        let from = max(groups[Int(g)].first, w - Int64(capacity))
        scratch.removeAll(keepingCapacity: true)
        let base = Int(g) * capacity
        let bucket = self.bucket(w)
        var k = from
        while k < w {
            if windowsPerPeriod == 0 || self.bucket(k) == bucket {
                scratch.append(Double(values[base + ringIndex(k)]))
            }
            k += 1
        }
        guard scratch.count >= spec.minSamples else { return nil }
        return BaselineScore.compute(spec, value: value, history: &scratch)
    }

    /// The season bucket of window `k` (the hour of the day or week its start falls in).
    @inline(__always)
    private func bucket(_ k: Int64) -> Int64 {
        guard windowsPerPeriod > 0 else { return 0 }
        let p = (k + periodOffset) % windowsPerPeriod
        return (p < 0 ? p + windowsPerPeriod : p) / windowsPerHour
    }

    @inline(__always)
    private func ringIndex(_ k: Int64) -> Int {
        let i = k % Int64(capacity)
        return Int(i < 0 ? i + Int64(capacity) : i)
    }

    @inline(__always)
    private func store(_ value: Double, window k: Int64, slot g: Int32) {
        values[Int(g) * capacity + ringIndex(k)] = Float(value)
    }

    /// Forgets, least recently scored first, the groups whose last window is
    /// more than a history before `w`: they hold only zeros for it.
    private func forgetExpiredGroups(before w: Int64) {
        while recency.oldest >= 0 && w - groups[Int(recency.oldest)].last > Int64(capacity) {
            removeGroup(recency.oldest)
        }
    }

    /// Forgets the least recently scored groups until the estimate is at
    /// most `bytes`. Returns how many went.
    @discardableResult
    func evict(downTo bytes: Int) -> Int {
        var n = 0
        while estimatedBytes > bytes && recency.oldest >= 0 {
            removeGroup(recency.oldest)
            n += 1
        }
        evictedGroups += n
        return n
    }

    // MARK: Persistence (`LearnedStateFile`)

    /// One group as saved: its hash, first window, and the values of its
    /// windows `last - values.count + 1 ... last`, oldest first.
    struct SavedGroup: Equatable {
        var hash: UInt64
        var first: Int64
        var last: Int64
        var values: [Float]
    }

    /// The groups, least recently scored first (the order `restore` keeps).
    func saved() -> [SavedGroup] {
        var out: [SavedGroup] = []
        out.reserveCapacity(liveGroups)
        var g = recency.oldest
        while g >= 0 {
            let r = groups[Int(g)]
            let from = max(r.first, r.last - Int64(capacity) + 1)
            var v: [Float] = []
            v.reserveCapacity(Int(r.last - from + 1))
            var k = from
            while k <= r.last { v.append(values[Int(g) * capacity + ringIndex(k)]); k += 1 }
            out.append(SavedGroup(hash: r.hash, first: r.first, last: r.last, values: v))
            g = r.newer
        }
        // By last window, then hash: groups whose windows closed at the same
        // event time were touched in the order their keys were first interned,
        // which a replay of equal-time events may not share; this order is the
        // events' alone, and for groups it differs from the recency order only
        // among equal last windows.
        out.sort { ($0.last, $0.hash) < ($1.last, $1.hash) }
        return out
    }

    /// Replaces what was learned with `saved` (as `saved()` gave it).
    func restore(_ saved: [SavedGroup]) {
        while recency.oldest >= 0 { removeGroup(recency.oldest) }
        for s in saved {
            let g = addGroup(s.hash, first: s.first)
            let kept = s.values.suffix(capacity)
            var k = s.last - Int64(kept.count) + 1
            for v in kept {
                values[Int(g) * capacity + ringIndex(k)] = v
                k += 1
            }
            groups[Int(g)].last = s.last
        }
    }

    // MARK: Recency list

    private func addGroup(_ hash: UInt64, first: Int64) -> Int32 {
        let record = Group(hash: hash, first: first, last: first, older: -1, newer: -1)
        let g: Int32
        if let free = freeSlots.popLast() {
            g = free
            groups[Int(g)] = record
        } else {
            g = Int32(groups.count)
            groups.append(record)
            values.append(contentsOf: repeatElement(0, count: capacity))
        }
        index[hash] = g
        recency.append(g, to: &groups)
        return g
    }

    private func removeGroup(_ g: Int32) {
        recency.remove(g, from: &groups)
        index[groups[Int(g)].hash] = nil
        freeSlots.append(g)
    }

}
