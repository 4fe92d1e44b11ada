/// Events held back to be written late: a binary min-heap on release time
/// (event time + delay), ties in the order they were held, so the output
/// stays deterministic.
struct LateEventQueue {
    private struct Entry {
        var release: Int64
        var seq: Int
        var event: SyntheticEvent

        /// Release time, ties in the order held (`seq` is unique: a total order).
        static func precedes(_ a: Entry, _ b: Entry) -> Bool {
            a.release != b.release ? a.release < b.release : a.seq < b.seq
        }
    }

    private var heap: [Entry] = []
    private var seq = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// Release time of the next event to write.
    var nextRelease: Int64? { heap.first?.release }

    mutating func push(_ e: SyntheticEvent, release: Int64) {
        let entry = Entry(release: release, seq: seq, event: e)
        seq += 1
        heap.append(entry)
        heap.withUnsafeMutableBufferPointer { h in MinHeap.siftUp(h, entry, from: h.count - 1, by: Entry.precedes) }
    }

    mutating func pop() -> SyntheticEvent {
        let top = heap[0].event
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap.withUnsafeMutableBufferPointer { h in MinHeap.siftDown(h, last, from: 0, by: Entry.precedes) }
        }
        return top
    }
}
