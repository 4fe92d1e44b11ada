import Foundation
import Workers

public extension ObjectStore {
    /// Fetches several objects at once over up to `parallelism` connections;
    /// results are in the order of `keys`.
    func getMany(keys: [String], parallelism: Int = 8) throws -> [[UInt8]] {
        var results: [[UInt8]] = []
        results.reserveCapacity(keys.count)
        var next = 0
        try OrderedWorkerPool.run(workers: min(max(1, parallelism), max(1, keys.count)), depth: 2 * parallelism,
                                  produce: { () -> Int? in
                                      guard next < keys.count else { return nil }
                                      next += 1
                                      return next - 1
                                  },
                                  work: { _, index in try self.get(key: keys[index], range: nil) },
                                  consume: { results.append($0); return true })
        return results
    }
}

/// Slots filled by parallel jobs, one per job index.
final class ParallelResults: @unchecked Sendable {
    let lock = NSLock()
    var values: [[UInt8]]
    init(count: Int) { values = Array(repeating: [], count: count) }
}
