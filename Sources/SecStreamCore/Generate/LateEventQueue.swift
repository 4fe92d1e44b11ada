/// Events held back to be written late: a binary min-heap on release time
/// (event time + delay), ties in the order they were held, so the output
/// stays deterministic.
struct LateEventQueue {
    private struct Entry {
        var release: Int64
        var seq: Int
        var event: SyntheticEvent
    }

    private var heap: [Entry] = []
    private var seq = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// Release time of the next event to write.
    var nextRelease: Int64? { heap.first?.release }

    mutating func push(_ e: SyntheticEvent, release: Int64) {
        heap.append(Entry(release: release, seq: seq, event: e))
        seq += 1
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !less(i, p) { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> SyntheticEvent {
        let top = heap[0].event
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(l, m) { m = l }
                if r < heap.count && less(r, m) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        heap[a].release != heap[b].release ? heap[a].release < heap[b].release : heap[a].seq < heap[b].seq
    }
}
