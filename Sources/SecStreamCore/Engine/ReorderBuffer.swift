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
/// Each input's records (a file's, a Kafka partition's) mostly arrive in
/// event-time order, while inputs interleave: a job of one partition's
/// records follows a job of another's that reached further in time. So the
/// buffer keeps sorted sources and merges them on the way out:
/// - a run per input, a FIFO ring of the records appended while each is at or
///   after its input's previous one (time non-decreasing, arrival increasing,
///   hence sorted by (time, arrival)): O(1) in and out, no compares;
/// - the runs' heads in a small min-heap (one entry per non-empty run, so one
///   compare for a single input, and a partition's job never goes through a
///   heap of its records);
/// - the stragglers, a binary min-heap on (time, arrival) for the records
///   that arrive behind their own run's tail. The heap moves only 24-byte
///   keys; the records stay put in a slab with a free list.
/// Every source is sorted by the same key and arrivals are unique, so the
/// merge yields exactly the order of a single heap over all records.
/// (One run for all inputs sent every record of a Kafka partition's job
/// whose times were behind the previous partition's through the straggler
/// heap: with six partitions, the heap's pushes, pops and its growth were a
/// tenth of the engine thread.)
/// The heaps' sifts are `MinHeap`'s, inlined for these key types, so they
/// compile to plain loads and compares.
final class ReorderBuffer {
    private struct Key {
        var time: Int64
        var arrival: UInt64
        var slot: Int32

        @inline(__always)
        func precedes(_ o: Key) -> Bool { time != o.time ? time < o.time : arrival < o.arrival }
    }

    /// One input's in-order records: a ring of `capacity` (a power of two).
    private struct Run {
        var ring: UnsafeMutablePointer<PendingMatch>
        var capacity: Int
        var head = 0
        var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            ring = .allocate(capacity: capacity)
        }

        @inline(__always)
        var tail: PendingMatch { ring[(head &+ count &- 1) & (capacity &- 1)] }

        @inline(__always)
        mutating func append(_ m: PendingMatch) {
            if count == capacity { grow() }
            (ring + ((head &+ count) & (capacity &- 1))).initialize(to: m)
            count &+= 1
        }

        @inline(__always)
        mutating func removeFirst() -> PendingMatch {
            let m = ring[head]
            head = (head &+ 1) & (capacity &- 1)
            count &-= 1
            return m
        }

        private mutating func grow() {
            let fresh = UnsafeMutablePointer<PendingMatch>.allocate(capacity: capacity * 2)
            for k in 0..<count { (fresh + k).initialize(to: ring[(head + k) & (capacity - 1)]) }
            ring.deallocate()
            ring = fresh
            capacity *= 2
            head = 0
        }
    }

    // The tables are `PlainBuffer`s, not arrays: an array's append and element
    // write is a uniqueness check each (callgrind: a fifth of a push's and a
    // pop's instructions). Their indexes are the buffer's own (an input modulo
    // `maxRuns`, a slab slot), never from the data; PlainBuffer checks them in
    // debug builds. `@exclusivity(unchecked)` on `count`: only the engine
    // thread touches it, and the runtime's dynamic check of each access was
    // 11% of the instructions per event of the built-in pack.
    /// The runs, by input (inputs are small dense integers).
    private let runs = PlainBuffer<Run>(capacity: 4)
    /// The non-empty runs, by their head's (time, arrival): `slot` is the input.
    private let heads = PlainBuffer<Key>(capacity: 4)
    @exclusivity(unchecked) private(set) var count = 0

    // The stragglers.
    private let heap = PlainBuffer<Key>()
    private let slab = PlainBuffer<PendingMatch>()
    private let freeSlots = PlainBuffer<Int32>()

    init() {}

    // PendingMatch is a plain value (no references): nothing to deinitialize.
    deinit { for k in 0..<runs.count { runs[k].ring.deallocate() } }

    var isEmpty: Bool { count == 0 }

    /// Event time of the next record out.
    var nextTime: Int64? { isEmpty ? nil : nextTimeOrMax }

    /// Event time of the next record out, `Int64.max` when empty (no Optional on the hot path).
    @inline(__always)
    var nextTimeOrMax: Int64 {
        let r = heads.isEmpty ? Int64.max : heads[0].time
        return heap.isEmpty ? r : min(r, heap[0].time)
    }

    /// Inputs share runs past this many (input modulo it): a run of a file
    /// long read stays allocated, and a directory of thousands of files must
    /// not keep a ring each. A shared run is still sorted; only more of its
    /// records become stragglers.
    static let maxRuns = 256

    /// Holds `m`, a record of input `input`.
    func push(_ m: PendingMatch, input: Int) {
        let i = max(0, input) % Self.maxRuns
        if i >= runs.count { addRuns(through: i) }
        count &+= 1
        if runs[i].count == 0 {
            runs[i].append(m)
            let key = Key(time: m.time, arrival: m.arrival, slot: Int32(truncatingIfNeeded: i))
            heads.append(key)
            MinHeap.siftUp(heads.elements, key, from: heads.count - 1) { $0.precedes($1) }
        } else if m.time >= runs[i].tail.time {
            runs[i].append(m)
        } else {
            pushStraggler(m)
        }
    }

    /// Removes and returns the next record (call only when not empty).
    func pop() -> PendingMatch {
        count &-= 1
        if !heads.isEmpty {
            let top = heads[0]
            if heap.isEmpty || top.precedes(heap[0]) {
                let i = Int(top.slot)
                let m = runs[i].removeFirst()
                if runs[i].count > 0 {
                    // The run's next head takes its place.
                    let next = runs[i].ring[runs[i].head]
                    let key = Key(time: next.time, arrival: next.arrival, slot: top.slot)
                    if heads.count == 1 {
                        heads[0] = key
                    } else {
                        MinHeap.siftDown(heads.elements, key, from: 0) { $0.precedes($1) }
                    }
                } else {
                    let last = heads.removeLast()
                    if !heads.isEmpty {
                        MinHeap.siftDown(heads.elements, last, from: 0) { $0.precedes($1) }
                    }
                }
                return m
            }
        }
        return popStraggler()
    }

    private func addRuns(through input: Int) {
        while runs.count <= input { runs.append(Run(capacity: 16)) }
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
        MinHeap.siftUp(heap.elements, key, from: heap.count - 1) { $0.precedes($1) }
    }

    private func popStraggler() -> PendingMatch {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            MinHeap.siftDown(heap.elements, last, from: 0) { $0.precedes($1) }
        }
        freeSlots.append(top.slot)
        return slab[Int(top.slot)]
    }
}
