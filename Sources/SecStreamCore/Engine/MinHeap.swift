/// The two sifts of a binary min-heap laid out in contiguous storage, shared
/// by the engine's heaps (`ReorderBuffer` stragglers, `TimerQueue` timers)
/// and the generator's `LateEventQueue`. Both move a hole rather than swap,
/// and are inlined into each caller, so they specialize to that caller's
/// element type and ordering: plain loads, stores and compares.
enum MinHeap {
    /// Places `item` at the hole `i` (a new last element), moving it up past
    /// every parent it precedes.
    @inline(__always)
    static func siftUp<T>(_ h: UnsafeMutableBufferPointer<T>, _ item: T, from i: Int,
                          by precedes: (T, T) -> Bool) {
        var i = i
        while i > 0 {
            let p = (i - 1) >> 1
            if !precedes(item, h[p]) { break }
            h[i] = h[p]
            i = p
        }
        h[i] = item
    }

    /// Places `item` at the hole `i` (the root after a pop, or any node when
    /// rebuilding), moving it down past every smaller child.
    @inline(__always)
    static func siftDown<T>(_ h: UnsafeMutableBufferPointer<T>, _ item: T, from i: Int,
                            by precedes: (T, T) -> Bool) {
        let n = h.count
        var i = i
        while true {
            var c = 2 * i + 1
            if c >= n { break }
            if c + 1 < n && precedes(h[c + 1], h[c]) { c += 1 }
            if !precedes(h[c], item) { break }
            h[i] = h[c]
            i = c
        }
        h[i] = item
    }
}
