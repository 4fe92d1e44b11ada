import Foundation
import XCTest
@testable import SecStreamPipeline

/// The work queue behind `process`: results in production order, the worker
/// count a real bound on concurrency, early stops that leave no job running.
final class OrderedWorkQueueTests: XCTestCase {
    final class Job {
        let index: Int
        var result = 0
        init(_ index: Int) { self.index = index }
    }

    /// Counts jobs running at once and remembers the most seen.
    final class Concurrency: @unchecked Sendable {
        private let lock = NSLock()
        private var running = 0
        private(set) var peak = 0

        func enter() { lock.lock(); running += 1; peak = max(peak, running); lock.unlock() }
        func leave() { lock.lock(); running -= 1; lock.unlock() }
    }

    private func run(jobs: Int, workers: Int, stopAfter: Int? = nil) throws -> (consumed: [Int], peak: Int) {
        let queue = OrderedWorkQueue<Job>(depth: 8, workers: workers)
        let concurrency = Concurrency()
        var next = 0
        var consumed: [Int] = []
        try queue.run(
            produce: {
                guard next < jobs else { return nil }
                next += 1
                return Job(next - 1)
            },
            work: { job in
                concurrency.enter()
                // Uneven work so that later jobs often finish first.
                usleep(UInt32((job.index * 7919) % 5) * 300)
                job.result = job.index * job.index
                concurrency.leave()
            },
            consume: { job in
                XCTAssertEqual(job.result, job.index * job.index, "consumed before its work finished")
                consumed.append(job.index)
                return stopAfter.map { consumed.count < $0 } ?? true
            })
        return (consumed, concurrency.peak)
    }

    func testOneWorkerRunsOneJobAtATimeInOrder() throws {
        let (consumed, peak) = try run(jobs: 40, workers: 1)
        XCTAssertEqual(consumed, Array(0..<40))
        XCTAssertEqual(peak, 1)
    }

    func testSeveralWorkersKeepProductionOrder() throws {
        let (consumed, peak) = try run(jobs: 60, workers: 3)
        XCTAssertEqual(consumed, Array(0..<60))
        XCTAssertLessThanOrEqual(peak, 3)
    }

    func testStoppingEarlyWaitsForJobsInFlight() throws {
        let (consumed, _) = try run(jobs: 100, workers: 2, stopAfter: 5)
        XCTAssertEqual(consumed, Array(0..<5))
    }
}
