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

/// The engine's reorder buffer: hands records out in (event time, arrival
/// sequence) order.
///
/// Most records arrive already in event-time order, so the buffer keeps two
/// sorted sources and merges them on the way out:
/// - the run, a FIFO ring of records appended while each is at or after the
///   previous one appended (time non-decreasing, arrival increasing, hence
///   sorted by (time, arrival)): O(1) in and out, no compares;
/// - the stragglers, a binary min-heap on (time, arrival) for the records
///   that arrive behind the run's tail. The heap moves only 24-byte keys; the
///   records stay put in a slab with a free list.
/// Both sources are sorted by the same key and arrivals are unique, so the
/// merge yields exactly the order of a single heap over all records.
/// The heap's sifts are `MinHeap`'s, inlined for this one key type, so they
/// compile to plain loads and compares.
final class ReorderBuffer {
    private struct Key {
        var time: Int64
        var arrival: UInt64
        var slot: Int32

        @inline(__always)
        func precedes(_ o: Key) -> Bool { time != o.time ? time < o.time : arrival < o.arrival }
    }

    // The in-order run: a ring of `runCapacity` (a power of two) records.
    // `@exclusivity(unchecked)` on this state: only the engine thread touches it,
    // never through overlapping accesses, and the runtime's dynamic check of each
    // access (a thread-local access set) was 11% of the instructions per event of
    // the built-in pack. Bounds and overflow checks stay on.
    @exclusivity(unchecked) private var run: UnsafeMutablePointer<PendingMatch>
    @exclusivity(unchecked) private var runCapacity = 256
    @exclusivity(unchecked) private var runHead = 0
    @exclusivity(unchecked) private var runCount = 0

    // The stragglers.
    @exclusivity(unchecked) private var heap: [Key] = []
    @exclusivity(unchecked) private var slab: [PendingMatch] = []
    @exclusivity(unchecked) private var freeSlots: [Int32] = []

    init() {
        run = UnsafeMutablePointer<PendingMatch>.allocate(capacity: runCapacity)
    }

    // PendingMatch is a plain value (no references): nothing to deinitialize.
    deinit { run.deallocate() }

    var count: Int { runCount + heap.count }
    var isEmpty: Bool { runCount == 0 && heap.isEmpty }

    /// Event time of the next record out.
    var nextTime: Int64? {
        if runCount == 0 { return heap.isEmpty ? nil : heap[0].time }
        let t = run[runHead].time
        return heap.isEmpty ? t : min(t, heap[0].time)
    }

    /// Event time of the next record out, `Int64.max` when empty (no Optional on the hot path).
    @inline(__always)
    var nextTimeOrMax: Int64 {
        let r = runCount == 0 ? Int64.max : run[runHead].time
        return heap.isEmpty ? r : min(r, heap[0].time)
    }

    func push(_ m: PendingMatch) {
        if runCount == 0 || m.time >= run[(runHead + runCount - 1) & (runCapacity - 1)].time {
            if runCount == runCapacity { growRun() }
            (run + ((runHead + runCount) & (runCapacity - 1))).initialize(to: m)
            runCount += 1
        } else {
            pushStraggler(m)
        }
    }

    /// Removes and returns the next record (call only when not empty).
    func pop() -> PendingMatch {
        if runCount > 0 {
            let r = run[runHead]
            if heap.isEmpty || (r.time != heap[0].time ? r.time < heap[0].time : r.arrival < heap[0].arrival) {
                runHead = (runHead + 1) & (runCapacity - 1)
                runCount -= 1
                return r
            }
        }
        return popStraggler()
    }

    private func growRun() {
        let fresh = UnsafeMutablePointer<PendingMatch>.allocate(capacity: runCapacity * 2)
        for k in 0..<runCount {
            (fresh + k).initialize(to: run[(runHead + k) & (runCapacity - 1)])
        }
        run.deallocate()
        run = fresh
        runCapacity *= 2
        runHead = 0
    }

    private func pushStraggler(_ m: PendingMatch) {
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
        heap.withUnsafeMutableBufferPointer { h in MinHeap.siftUp(h, key, from: h.count - 1) { $0.precedes($1) } }
    }

    private func popStraggler() -> PendingMatch {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap.withUnsafeMutableBufferPointer { h in MinHeap.siftDown(h, last, from: 0) { $0.precedes($1) } }
        }
        freeSlots.append(top.slot)
        return slab[Int(top.slot)]
    }
}
