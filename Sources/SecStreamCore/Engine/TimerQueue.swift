/// When a (correlation, group) window must be looked at again because time
/// passed: a tumbling bucket or a session ends, or a sliding window's events
/// have all expired and its state can be freed.
struct WindowTimer {
    var closeAt: Int64
    var correlation: Int32
    /// The group id; in a heap entry standing for a tumbling batch, the batch index.
    var group: UInt32

    /// 16 bytes, one per open window (was 24 with a copy of the key's first 8
    /// bytes: ties on the close time are rare outside tumbling batches, which
    /// read those bytes once per timer when they sort, see `startDrain`).
    init(closeAt: Int64, correlation: Int32, group: UInt32) {
        self.closeAt = closeAt
        self.correlation = correlation
        self.group = group
    }
}

/// The pending `WindowTimer`s, handed out in the deterministic order docs/windows.md
/// asks for: by close time, then rule index, then group key bytes. Each timer
/// holds a reference on its group id, so the key bytes it is ordered by stay valid.
///
/// Timers are lazy: a window whose close time moves later (a session that
/// grows, a sliding window with new events) keeps its one pending timer, which
/// re-arms itself at the new time when it comes due.
///
/// Tumbling windows of one correlation all close at the same bucket ends, and
/// on high-cardinality keys nearly every event opens a window: so their timers
/// are not heaped one by one but appended to a batch per (close time,
/// correlation), which enters the heap once. A due batch is sorted by key when
/// its closings may fire (conditions judged on the whole window); when they
/// cannot (monotonic conditions fire on arrival), closing only frees state and
/// the batch is handed out in arrival order, unsorted.
///
/// Single timers mostly come in order too: a sliding window's is armed at its
/// event's time plus the timespan. So, as in `ReorderBuffer`, those that come
/// after the last one in queue order go to a FIFO ring (no sift in, none
/// out), the others to the heap, and the two are merged on the way out: the
/// same order as one heap, since the order is total (one timer per
/// correlation and group).
final class TimerQueue {
    private struct BatchKey: Hashable {
        var closeAt: Int64
        var correlation: Int32
    }

    // `@exclusivity(unchecked)` on this state: only the engine thread touches it,
    // never through overlapping accesses, and the runtime's dynamic check of each
    // access (a thread-local access set) was 11% of the instructions per event of
    // the built-in pack. Bounds and overflow checks stay on.
    /// The group interner of each correlation.
    @exclusivity(unchecked) private var interners: [ByteInterner] = []
    /// Per correlation: timers go to batches (tumbling), and whether a due batch is sorted.
    @exclusivity(unchecked) private var batched: [Bool] = []
    @exclusivity(unchecked) private var sortsBatches: [Bool] = []
    /// Single timers, and one entry per open batch (`group` = batch index).
    private let heap = PlainBuffer<WindowTimer>(capacity: 256)
    /// Single timers pushed in queue order: a ring of `runCapacity` (a power of two).
    @exclusivity(unchecked) private var run: UnsafeMutablePointer<WindowTimer>
    @exclusivity(unchecked) private var runCapacity = 256
    @exclusivity(unchecked) private var runHead = 0
    @exclusivity(unchecked) private var runCount = 0
    /// Sorting a due batch: each timer's group with its key's first 8 bytes
    /// (16 bytes a timer; the batch's close time and correlation are one).
    @exclusivity(unchecked) private var sortScratch: [(prefix: UInt64, group: UInt32)] = []
    @exclusivity(unchecked) private var batches: [[WindowTimer]] = []
    @exclusivity(unchecked) private var freeBatches: [Int] = []
    @exclusivity(unchecked) private var batchIndex: [BatchKey: Int] = [:]
    /// Per correlation, the batch the last push went to (pushes mostly repeat it).
    @exclusivity(unchecked) private var lastBatchKey: [BatchKey] = []
    @exclusivity(unchecked) private var lastBatch: [Int] = []
    /// The batch being handed out, from `drainPosition` on.
    @exclusivity(unchecked) private var drain: [WindowTimer] = []
    @exclusivity(unchecked) private var drainPosition = 0
    @exclusivity(unchecked) private var drainKey = BatchKey(closeAt: .min, correlation: -1)

    init() {
        run = TimerQueue.allocateRun(runCapacity)
    }

    // WindowTimer is a plain value: nothing to deinitialize.
    deinit { TimerQueue.deallocateRun(run, runCapacity) }

    private static func allocateRun(_ n: Int) -> UnsafeMutablePointer<WindowTimer> {
        TableMemory.allocate(byteCount: n * MemoryLayout<WindowTimer>.stride, alignment: MemoryLayout<WindowTimer>.alignment)
            .bindMemory(to: WindowTimer.self, capacity: n)
    }

    private static func deallocateRun(_ p: UnsafeMutablePointer<WindowTimer>, _ n: Int) {
        TableMemory.deallocate(UnsafeMutableRawPointer(p), byteCount: n * MemoryLayout<WindowTimer>.stride)
    }

    /// Called once the windows exist: `batched[c]` for tumbling correlations,
    /// `sorted[c]` when their closings may fire and so must come in key order.
    func configure(interners: [ByteInterner], batched: [Bool], sorted: [Bool]) {
        self.interners = interners
        self.batched = batched
        self.sortsBatches = sorted
        lastBatchKey = batched.indices.map { BatchKey(closeAt: .min, correlation: Int32($0)) }
        lastBatch = [Int](repeating: -1, count: batched.count)
    }

    var isEmpty: Bool { heap.isEmpty && runCount == 0 && drainPosition >= drain.count }

    /// Close time of the next timer due (`Int64.max` when none).
    var nextCloseAt: Int64 {
        var h = heap.isEmpty ? Int64.max : heap[0].closeAt
        if runCount > 0 { h = min(h, run[runHead].closeAt) }
        return drainPosition < drain.count ? min(h, drain[drainPosition].closeAt) : h
    }

    @inline(__always)
    private func precedes(_ a: WindowTimer, _ b: WindowTimer) -> Bool {
        if a.closeAt != b.closeAt { return a.closeAt < b.closeAt }
        if a.correlation != b.correlation { return a.correlation < b.correlation }
        return interners[Int(a.correlation)].compare(a.group, b.group) < 0
    }

    func push(_ t: WindowTimer) {
        let c = Int(t.correlation)
        guard batched[c] else { return pushSingle(t) }
        let key = BatchKey(closeAt: t.closeAt, correlation: t.correlation)
        if drainPosition < drain.count && key == drainKey {
            // Only reachable if a closing re-opened its own bucket; keep the drain in order.
            var i = drain.count
            if sortsBatches[c] { while i > drainPosition && precedes(t, drain[i - 1]) { i -= 1 } }
            drain.insert(t, at: i)
            return
        }
        let b: Int
        if lastBatch[c] >= 0 && lastBatchKey[c] == key {
            b = lastBatch[c]
        } else if let known = batchIndex[key] {
            b = known
        } else {
            b = freeBatches.popLast() ?? { batches.append([]); return batches.count - 1 }()
            batchIndex[key] = b
            heapPush(WindowTimer(closeAt: t.closeAt, correlation: t.correlation, group: UInt32(b)))
        }
        lastBatchKey[c] = key
        lastBatch[c] = b
        batches[b].append(t)
    }

    /// Pending timers (for `--max-state`; O(batches)).
    var pendingCount: Int {
        heap.count + runCount + batches.reduce(0) { $0 + $1.count } + (drain.count - drainPosition)
    }

    /// Removes the timers `drop` says are no longer needed (windows dropped
    /// under `--max-state`: their timers would hold the group keys until due)
    /// and returns them; each still holds its group reference for the caller
    /// to release. O(timers): the heap is rebuilt.
    func purge(_ drop: (WindowTimer) -> Bool) -> [WindowTimer] {
        var dropped: [WindowTimer] = []
        for b in batches.indices where !batches[b].isEmpty {
            batches[b].removeAll { t in drop(t) ? (dropped.append(t), true).1 : false }
        }
        var kept = 0
        for k in 0..<heap.count {
            let t = heap[k]
            let c = Int(t.correlation)
            if batched[c] {
                let b = Int(t.group)
                if batches[b].isEmpty {
                    // A batch left empty: its heap entry goes (it holds no group reference).
                    batchIndex[BatchKey(closeAt: t.closeAt, correlation: t.correlation)] = nil
                    if lastBatch[c] == b { lastBatch[c] = -1 }
                    freeBatches.append(b)
                    continue
                }
            } else if drop(t) {
                dropped.append(t)
                continue
            }
            heap[kept] = t
            kept += 1
        }
        heap.truncate(to: kept)
        if kept > 1 {
            for start in stride(from: kept / 2 - 1, through: 0, by: -1) { siftDown(start) }
        }
        // The run keeps its order: compact it to the front of the ring.
        var runKept = 0
        for k in 0..<runCount {
            let t = run[(runHead + k) & (runCapacity - 1)]
            if drop(t) { dropped.append(t); continue }
            run[(runHead + runKept) & (runCapacity - 1)] = t
            runKept += 1
        }
        runCount = runKept
        if drainPosition < drain.count {
            var rest = Array(drain[drainPosition...])
            rest.removeAll { t in drop(t) ? (dropped.append(t), true).1 : false }
            drain = rest
            drainPosition = 0
        }
        return dropped
    }

    /// Restores the heap order below `i`.
    private func siftDown(_ i: Int) {
        MinHeap.siftDown(heap.elements, heap[i], from: i) { precedes($0, $1) }
    }

    /// The next timer due (call only when not empty).
    func pop() -> WindowTimer {
        while true {
            // The run's head against the heap's top: a batch entry there is
            // of another correlation (batched ones push no single timers), so
            // the close time and correlation decide against it.
            let fromRun = runCount > 0 && (heap.isEmpty || precedes(run[runHead], heap[0]))
            if drainPosition < drain.count {
                let d = drain[drainPosition]
                let first = fromRun ? drainPrecedes(d, run[runHead]) : (heap.isEmpty || drainComesFirst())
                if first {
                    drainPosition += 1
                    return d
                }
            }
            if fromRun {
                let t = run[runHead]
                runHead = (runHead + 1) & (runCapacity - 1)
                runCount -= 1
                return t
            }
            let top = heapPop()
            guard batched[Int(top.correlation)] else { return top }
            startDrain(batch: Int(top.group), key: BatchKey(closeAt: top.closeAt, correlation: top.correlation))
        }
    }

    /// Whether the drain's next timer goes before the heap's top. A batch entry
    /// never shares (close time, correlation) with the drain, so the first two
    /// keys decide against it.
    @inline(__always)
    private func drainComesFirst() -> Bool {
        let d = drain[drainPosition], h = heap[0]
        if batched[Int(h.correlation)] {
            return d.closeAt != h.closeAt ? d.closeAt < h.closeAt : d.correlation < h.correlation
        }
        return !precedes(h, d)
    }

    /// Whether the drain's timer `d` goes before the single timer `s` (of
    /// another correlation: time and correlation decide).
    @inline(__always)
    private func drainPrecedes(_ d: WindowTimer, _ s: WindowTimer) -> Bool {
        d.closeAt != s.closeAt ? d.closeAt < s.closeAt : d.correlation < s.correlation
    }

    private func startDrain(batch b: Int, key: BatchKey) {
        if drainPosition < drain.count {
            // An earlier batch became due before this drain ended: park the rest as a batch again.
            let rest = freeBatches.popLast() ?? { batches.append([]); return batches.count - 1 }()
            batches[rest].append(contentsOf: drain[drainPosition...])
            batchIndex[drainKey] = rest
            heapPush(WindowTimer(closeAt: drainKey.closeAt, correlation: drainKey.correlation, group: UInt32(rest)))
        }
        batchIndex[key] = nil
        let c = Int(key.correlation)
        if lastBatch[c] == b { lastBatch[c] = -1 }
        // Swap the batch's storage into the drain, keeping both capacities for reuse.
        drain.removeAll(keepingCapacity: true)
        swap(&drain, &batches[b])
        freeBatches.append(b)
        drainPosition = 0
        drainKey = key
        if sortsBatches[c] && drain.count > 1 {
            // One close time and correlation: key order. Each key's first 8
            // bytes are read once, so most compares touch no key bytes.
            let interner = interners[c]
            sortScratch.removeAll(keepingCapacity: true)
            sortScratch.reserveCapacity(drain.count)
            for t in drain { sortScratch.append((interner.orderPrefix(t.group), t.group)) }
            sortScratch.sort { a, b in
                // Zero-padded big-endian words: their order is byte order wherever they differ.
                a.prefix != b.prefix ? a.prefix < b.prefix : interner.compare(a.group, b.group) < 0
            }
            for k in 0..<sortScratch.count {
                drain[k] = WindowTimer(closeAt: key.closeAt, correlation: key.correlation, group: sortScratch[k].group)
            }
            // A flood's one large batch does not keep its scratch for good.
            if sortScratch.capacity > 1 << 16 { sortScratch = [] }
        }
    }

    /// A single timer: onto the run when it comes after the run's last one, else into the heap.
    @inline(__always)
    private func pushSingle(_ t: WindowTimer) {
        if runCount == 0 || precedes(run[(runHead + runCount - 1) & (runCapacity - 1)], t) {
            if runCount == runCapacity { growRun() }
            (run + ((runHead + runCount) & (runCapacity - 1))).initialize(to: t)
            runCount += 1
        } else {
            heapPush(t)
        }
    }

    private func growRun() {
        let fresh = TimerQueue.allocateRun(runCapacity * 2)
        for k in 0..<runCount { (fresh + k).initialize(to: run[(runHead + k) & (runCapacity - 1)]) }
        TimerQueue.deallocateRun(run, runCapacity)
        run = fresh
        runCapacity *= 2
        runHead = 0
    }

    private func heapPush(_ t: WindowTimer) {
        heap.append(t)
        MinHeap.siftUp(heap.elements, t, from: heap.count - 1) { precedes($0, $1) }
    }

    private func heapPop() -> WindowTimer {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            MinHeap.siftDown(heap.elements, last, from: 0) { precedes($0, $1) }
        }
        return top
    }
}
