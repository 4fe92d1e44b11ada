/// A match record waiting for the watermark, its bytes already interned.
struct PendingMatch {
    var time: Int64
    var arrival: UInt64
    var target: Int32
    var group: UInt32
    var value: UInt32
    var number: Double
    var eventHash: UInt64
    var location: EventLocation
}

/// The engine's reorder buffer: a binary min-heap on (event time, arrival
/// sequence). With a 30 s lateness it holds 30 s of matches, so the heap
/// moves only 24-byte keys and the records stay put in a slab with a free list.
/// Written for this one element type (no generic heap), so it compiles to
/// plain loads and compares.
final class ReorderBuffer {
    private struct Key {
        var time: Int64
        var arrival: UInt64
        var slot: Int32

        @inline(__always)
        func precedes(_ o: Key) -> Bool { time != o.time ? time < o.time : arrival < o.arrival }
    }

    private var heap: [Key] = []
    private var slab: [PendingMatch] = []
    private var freeSlots: [Int32] = []

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }
    /// Event time of the next record out.
    var nextTime: Int64? { heap.isEmpty ? nil : heap[0].time }

    func push(_ m: PendingMatch) {
        let slot: Int32
        if let s = freeSlots.popLast() {
            slot = s
            slab[Int(s)] = m
        } else {
            slot = Int32(slab.count)
            slab.append(m)
        }
        let key = Key(time: m.time, arrival: m.arrival, slot: slot)
        heap.append(key)
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let p = (i - 1) >> 1
                if !key.precedes(h[p]) { break }
                h[i] = h[p]
                i = p
            }
            h[i] = key
        }
    }

    func pop() -> PendingMatch {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap.withUnsafeMutableBufferPointer { h in
                let n = h.count
                var i = 0
                while true {
                    var c = 2 * i + 1
                    if c >= n { break }
                    if c + 1 < n && h[c + 1].precedes(h[c]) { c += 1 }
                    if !h[c].precedes(last) { break }
                    h[i] = h[c]
                    i = c
                }
                h[i] = last
            }
        }
        freeSlots.append(top.slot)
        return slab[Int(top.slot)]
    }
}
