import Dispatch
import Foundation

/// The one worker pool: items come from a producer thread, are transformed on
/// `workers` threads, and reach the caller in production order. Everything
/// secstream does in parallel has that shape — scanning chunks of lines
/// (output must be deterministic), fetching archive objects (output in archive
/// order), uploading archive objects and multipart parts (the first failure in
/// order ends the run).
///
/// At most `depth` items are in flight, which bounds memory; items may be
/// objects the caller recycles, so nothing needs allocating per item. The
/// pool's threads are plain `Thread`s, not Dispatch's pool: object-store work
/// blocks on the network, so the width is the number of connections to keep
/// busy, not the number of cores.
public enum OrderedWorkerPool {
    /// `produce` returns the next item (nil at the end) and runs on its own
    /// thread. `work` runs on worker threads and gets its worker number (for
    /// per-thread scratch). `consume` runs on the calling thread in
    /// production order; returning false stops early.
    ///
    /// The first error — from `produce`, from `work` (in production order) or
    /// from `consume` — stops the hand-out of new items and is rethrown once
    /// every item already handed to a worker is finished, so no item is still
    /// in use when `run` returns.
    public static func run<Item, Output>(workers: Int, depth: Int,
                                         produce: @escaping () throws -> Item?,
                                         work: @escaping (_ worker: Int, _ item: Item) throws -> Output,
                                         consume: (Output) throws -> Bool) throws {
        let state = PoolState<Item, Output>(depth: max(2, depth))
        let producer = Thread { state.producerLoop(produce) }
        producer.stackSize = 1 << 20
        producer.start()
        for worker in 0..<max(1, workers) {
            let thread = Thread { state.workerLoop(worker, work) }
            thread.stackSize = 1 << 20
            thread.start()
        }
        try state.consumerLoop(consume)
    }

    /// `count` independent jobs on up to `width` threads, waiting for all of
    /// them; the first failure (in index order) stops the rest and is rethrown.
    public static func forEach(count: Int, width: Int, _ job: @escaping (Int) throws -> Void) throws {
        if count == 0 { return }
        if count == 1 || width <= 1 {
            for index in 0..<count { try job(index) }
            return
        }
        let next = IndexCounter(count)
        try run(workers: min(width, count), depth: 2 * width, produce: { next.take() },
                work: { _, index in try job(index) }, consume: { _ in true })
    }

    /// `work` for indexes 0..<count on up to `width` threads, each result
    /// handed to `deliver` in index order as soon as it and all before it are ready.
    public static func map<Output>(count: Int, width: Int, lookahead: Int,
                                   work: @escaping (_ worker: Int, _ index: Int) -> Output,
                                   deliver: (_ index: Int, Output) throws -> Bool) throws {
        guard count > 0 else { return }
        let next = IndexCounter(count)
        let width = max(1, min(width, count))
        try run(workers: width, depth: max(width, lookahead), produce: { next.take() },
                work: { worker, index in (index, work(worker, index)) },
                consume: { try deliver($0.0, $0.1) })
    }
}

/// 0, 1, … count−1, then nil; called from the producer thread only.
private final class IndexCounter {
    private var next = 0
    private let count: Int
    init(_ count: Int) { self.count = count }
    func take() -> Int? {
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

/// The pool's shared state: the in-flight slots in production order and the
/// ones no worker has picked up yet, under one condition variable.
private final class PoolState<Item, Output> {
    final class Slot {
        let item: Item
        var output: Result<Output, Error>?
        let done = DispatchSemaphore(value: 0)
        init(_ item: Item) { self.item = item }
    }

    private let depth: Int
    private let lock = NSCondition()
    /// Items in flight, in production order (the consumer takes the first).
    private var inFlight: [Slot] = []
    /// Items not yet picked up by a worker, in production order.
    private var ready: [Slot] = []
    private var finished = false
    private var producerError: Error?

    init(depth: Int) { self.depth = depth }

    func producerLoop(_ produce: () throws -> Item?) {
        while true {
            lock.lock()
            while inFlight.count >= depth && !finished { lock.wait() }
            let stop = finished
            lock.unlock()
            if stop { return }
            let item: Item?
            do { item = try produce() } catch {
                lock.lock(); producerError = error; finished = true; lock.broadcast(); lock.unlock()
                return
            }
            lock.lock()
            defer { lock.broadcast(); lock.unlock() }
            guard let item, !finished else { finished = true; return }
            let slot = Slot(item)
            inFlight.append(slot)
            ready.append(slot)
        }
    }

    func workerLoop(_ worker: Int, _ work: (Int, Item) throws -> Output) {
        // Drain every item handed out even after a stop: the consumer waits for all of them.
        while true {
            lock.lock()
            while ready.isEmpty && !finished { lock.wait() }
            if ready.isEmpty { lock.unlock(); return }
            let slot = ready.removeFirst()
            lock.unlock()
            slot.output = Result { try work(worker, slot.item) }
            slot.done.signal()
        }
    }

    func consumerLoop(_ consume: (Output) throws -> Bool) throws {
        var consumerError: Error?
        while true {
            lock.lock()
            while inFlight.isEmpty && !finished { lock.wait() }
            if inFlight.isEmpty { lock.unlock(); break }
            let slot = inFlight[0]
            lock.unlock()
            slot.done.wait()
            lock.lock(); inFlight.removeFirst(); lock.broadcast(); lock.unlock()
            do {
                if try !consume(slot.output!.get()) { stop(); break }
            } catch {
                consumerError = error
                stop()
                break
            }
        }
        // Let in-flight work finish before the items are reused or freed.
        lock.lock()
        let pending = inFlight
        lock.unlock()
        for slot in pending { slot.done.wait() }
        if let consumerError { throw consumerError }
        if let producerError = lock.withLock({ producerError }) { throw producerError }
    }

    private func stop() {
        lock.lock(); finished = true; lock.broadcast(); lock.unlock()
    }
}
