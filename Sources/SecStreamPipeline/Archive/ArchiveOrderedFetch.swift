import Foundation

/// Runs `work` for object indexes 0..<count on `width` threads and hands the
/// results to the caller in index order, as soon as each next one is ready:
/// objects are fetched, decompressed and scanned in parallel while the output
/// stays in archive order. At most `lookahead` results wait ahead of the
/// caller, which bounds memory. `work` gets its worker number so it can keep
/// per-thread scratch (scanner slots, evaluators).
final class ArchiveOrderedFetch<Result> {
    private let count: Int
    private let width: Int
    private let lookahead: Int
    private let condition = NSCondition()
    private var results: [Int: Result] = [:]
    private var nextToStart = 0
    private var nextToDeliver = 0
    private var stopped = false

    init(count: Int, width: Int, lookahead: Int) {
        self.count = count
        self.width = max(1, min(width, count))
        self.lookahead = max(self.width, lookahead)
    }

    /// Calls `deliver` with each result in order; `deliver` returns false to stop early.
    func run(work: @escaping (_ worker: Int, _ index: Int) -> Result,
             deliver: (_ index: Int, Result) throws -> Bool) throws {
        guard count > 0 else { return }
        let group = DispatchGroup()
        for worker in 0..<width {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while let index = claim() {
                    let result = work(worker, index)
                    condition.lock()
                    results[index] = result
                    condition.broadcast()
                    condition.unlock()
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        defer {
            condition.lock(); stopped = true; condition.broadcast(); condition.unlock()
            group.wait()
        }
        while nextToDeliver < count {
            condition.lock()
            while results[nextToDeliver] == nil { condition.wait() }
            let result = results.removeValue(forKey: nextToDeliver)!
            let index = nextToDeliver
            nextToDeliver += 1
            condition.broadcast()
            condition.unlock()
            if try !deliver(index, result) { return }
        }
    }

    private func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && nextToStart < count && nextToStart >= nextToDeliver + lookahead { condition.wait() }
        guard !stopped, nextToStart < count else { return nil }
        nextToStart += 1
        return nextToStart - 1
    }
}
