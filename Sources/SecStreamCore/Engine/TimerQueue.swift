/// When a (correlation, group) window must be looked at again because time
/// passed: a tumbling bucket or a session ends, or a sliding window's events
/// have all expired and its state can be freed.
struct WindowTimer {
    var closeAt: Int64
    var correlation: Int32
    var group: UInt32
    /// The group key's first 16 bytes (`ByteInterner.orderPrefix`), copied in so
    /// that ordering timers due at the same time rarely reads the interner.
    var prefixHigh: UInt64
    var prefixLow: UInt64

    init(closeAt: Int64, correlation: Int32, group: UInt32, prefix: (high: UInt64, low: UInt64)) {
        self.closeAt = closeAt
        self.correlation = correlation
        self.group = group
        prefixHigh = prefix.high
        prefixLow = prefix.low
    }
}

/// The pending `WindowTimer`s as a binary min-heap, in the deterministic order
/// SPEC.md asks for: by close time, then rule index, then group key bytes.
/// Each timer holds a reference on its group id, so the key bytes it is
/// ordered by stay valid.
///
/// Timers are lazy: a window whose close time moves later (a session that
/// grows, a sliding window with new events) keeps its one pending timer, which
/// re-arms itself at the new time when it comes due.
final class TimerQueue {
    /// The group interner of each correlation (set once the windows exist).
    private var interners: [ByteInterner] = []
    private var heap = PlainBuffer<WindowTimer>(capacity: 256)

    deinit { heap.deallocate() }

    func setInterners(_ interners: [ByteInterner]) { self.interners = interners }

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }
    /// Close time of the next timer due (`Int64.max` when none).
    var nextCloseAt: Int64 { heap.isEmpty ? .max : heap[0].closeAt }

    @inline(__always)
    private func precedes(_ a: WindowTimer, _ b: WindowTimer) -> Bool {
        if a.closeAt != b.closeAt { return a.closeAt < b.closeAt }
        if a.correlation != b.correlation { return a.correlation < b.correlation }
        // Prefixes are zero-padded big-endian words: their order is byte order
        // wherever they differ (see `ByteInterner.compare`).
        if a.prefixHigh != b.prefixHigh { return a.prefixHigh < b.prefixHigh }
        if a.prefixLow != b.prefixLow { return a.prefixLow < b.prefixLow }
        return interners[Int(a.correlation)].compare(a.group, b.group) < 0
    }

    func push(_ t: WindowTimer) {
        heap.append(t)
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) >> 1
            if !precedes(t, heap[p]) { break }
            heap[i] = heap[p]
            i = p
        }
        heap[i] = t
    }

    func pop() -> WindowTimer {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            let n = heap.count
            var i = 0
            while true {
                var c = 2 * i + 1
                if c >= n { break }
                if c + 1 < n && precedes(heap[c + 1], heap[c]) { c += 1 }
                if !precedes(heap[c], last) { break }
                heap[i] = heap[c]
                i = c
            }
            heap[i] = last
        }
        return top
    }
}
