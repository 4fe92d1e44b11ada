import Foundation

/// Runs `count` independent jobs on up to `width` threads and waits for them.
/// The first error stops the hand-out of further jobs and is rethrown.
/// Object-store requests block on the network, not the CPU, so the width is
/// the number of connections to keep busy, not the number of cores (which is
/// why this is not `DispatchQueue.concurrentPerform`).
enum ParallelWork {
    static func run(count: Int, width: Int, _ job: @escaping @Sendable (Int) throws -> Void) throws {
        if count == 0 { return }
        if count == 1 || width <= 1 {
            for index in 0..<count { try job(index) }
            return
        }
        final class State: @unchecked Sendable {
            let lock = NSLock()
            var next = 0
            var firstError: Error?
        }
        let state = State()
        let group = DispatchGroup()
        for _ in 0..<min(width, count) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while true {
                    state.lock.lock()
                    if state.firstError != nil || state.next >= count {
                        state.lock.unlock()
                        return
                    }
                    let index = state.next
                    state.next += 1
                    state.lock.unlock()
                    do {
                        try job(index)
                    } catch {
                        state.lock.lock()
                        if state.firstError == nil { state.firstError = error }
                        state.lock.unlock()
                    }
                }
            }
        }
        group.wait()
        if let error = state.firstError { throw error }
    }
}

public extension ObjectStore {
    /// Fetches several objects at once over up to `parallelism` connections;
    /// results are in the order of `keys`.
    func getMany(keys: [String], parallelism: Int = 8) throws -> [[UInt8]] {
        let results = ParallelResults(count: keys.count)
        try ParallelWork.run(count: keys.count, width: parallelism) { index in
            let bytes = try self.get(key: keys[index], range: nil)
            results.lock.lock()
            results.values[index] = bytes
            results.lock.unlock()
        }
        return results.values
    }
}

/// Slots filled by parallel jobs, one per job index.
final class ParallelResults: @unchecked Sendable {
    let lock = NSLock()
    var values: [[UInt8]]
    init(count: Int) { values = Array(repeating: [], count: count) }
}
