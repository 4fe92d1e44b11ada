import Dispatch
import Foundation

/// Runs a stateless stage (scan + match) on several cores while the stateful
/// stage (engine, sinks) sees the results in input order, so output is
/// deterministic. A producer thread reads and decompresses; workers transform;
/// the calling thread consumes. At most `depth` jobs are in flight, which bounds
/// memory; jobs are objects the caller recycles, so nothing is allocated per job.
final class OrderedWorkQueue<Job: AnyObject> {
    private final class Slot {
        let job: Job
        let done = DispatchSemaphore(value: 0)
        init(_ job: Job) { self.job = job }
    }

    private let depth: Int
    private let workerCount: Int
    private let lock = NSCondition()
    /// Jobs in flight, in production order (the consumer takes the first).
    private var queue: [Slot] = []
    /// Jobs not yet picked up by a worker, in production order.
    private var ready: [Slot] = []
    private var finished = false
    private var producerError: Error?

    init(depth: Int, workers: Int) {
        self.depth = max(2, depth)
        self.workerCount = max(1, workers)
    }

    /// `produce` returns the next job filled with input (nil at the end); it runs
    /// on its own thread. `work` runs on worker threads. `consume` runs on the
    /// calling thread in production order; returning false stops early.
    func run(produce: @escaping () throws -> Job?,
             work: @escaping (Job) -> Void,
             consume: (Job) throws -> Bool) throws {
        let producer = Thread { [self] in
            while true {
                lock.lock()
                while queue.count >= depth && !finished { lock.wait() }
                let stop = finished
                lock.unlock()
                if stop { return }
                let job: Job?
                do { job = try produce() } catch {
                    lock.lock(); producerError = error; finished = true; lock.broadcast(); lock.unlock()
                    return
                }
                guard let job else {
                    lock.lock(); finished = true; lock.broadcast(); lock.unlock()
                    return
                }
                let slot = Slot(job)
                lock.lock(); queue.append(slot); ready.append(slot); lock.broadcast(); lock.unlock()
            }
        }
        producer.stackSize = 1 << 20
        producer.start()
        for _ in 0..<workerCount {
            let worker = Thread { [self] in
                // Drain every produced job even after a stop: the consumer waits for all of them.
                while true {
                    lock.lock()
                    while ready.isEmpty && !finished { lock.wait() }
                    if ready.isEmpty { lock.unlock(); return }
                    let slot = ready.removeFirst()
                    lock.unlock()
                    work(slot.job)
                    slot.done.signal()
                }
            }
            worker.stackSize = 1 << 20
            worker.start()
        }

        var consumerError: Error?
        while true {
            lock.lock()
            while queue.isEmpty && !finished { lock.wait() }
            if queue.isEmpty { lock.unlock(); break }
            let slot = queue[0]
            lock.unlock()
            slot.done.wait()
            lock.lock(); queue.removeFirst(); lock.broadcast(); lock.unlock()
            do {
                if try !consume(slot.job) { stop(); break }
            } catch {
                consumerError = error
                stop()
                break
            }
        }
        // Let in-flight work finish before the jobs are reused or freed.
        lock.lock()
        let pending = queue
        lock.unlock()
        for slot in pending { slot.done.wait() }
        if let consumerError { throw consumerError }
        if let producerError { throw producerError }
    }

    private func stop() {
        lock.lock(); finished = true; lock.broadcast(); lock.unlock()
    }
}
