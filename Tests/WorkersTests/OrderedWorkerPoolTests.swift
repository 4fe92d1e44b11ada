import Foundation
import XCTest
import Workers

/// The one worker pool: results in production order, the worker count a real
/// bound on concurrency, early stops that leave no job running, the first
/// error in order rethrown.
final class OrderedWorkerPoolTests: XCTestCase {
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
        let concurrency = Concurrency()
        var next = 0
        var consumed: [Int] = []
        try OrderedWorkerPool.run(
            workers: workers, depth: 8,
            produce: { () -> Job? in
                guard next < jobs else { return nil }
                next += 1
                return Job(next - 1)
            },
            work: { _, job -> Job in
                concurrency.enter()
                // Uneven work so that later jobs often finish first.
                usleep(UInt32((job.index * 7919) % 5) * 300)
                job.result = job.index * job.index
                concurrency.leave()
                return job
            },
            consume: { (job: Job) in
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

    struct Boom: Error, Equatable { let index: Int }

    func testTheFirstFailureInOrderIsRethrownAndStopsTheRest() {
        let started = Concurrency()
        var attempted = 0
        let lock = NSLock()
        XCTAssertThrowsError(try OrderedWorkerPool.forEach(count: 1_000, width: 4) { index in
            started.enter(); defer { started.leave() }
            lock.withLock { attempted += 1 }
            if index == 3 || index == 7 { throw Boom(index: index) }
            usleep(200)
        }) { XCTAssertEqual($0 as? Boom, Boom(index: 3)) }
        XCTAssertLessThan(lock.withLock { attempted }, 1_000, "a failure stops the hand-out of further jobs")
    }

    func testMapDeliversInIndexOrderWithPerWorkerScratch() throws {
        var delivered: [Int] = []
        try OrderedWorkerPool.map(count: 50, width: 3, lookahead: 6, work: { worker, index -> (Int, Int) in
            usleep(UInt32((index * 31) % 7) * 100)
            return (index, worker)
        }, deliver: { index, value in
            XCTAssertEqual(index, value.0)
            XCTAssert((0..<3).contains(value.1))
            delivered.append(index)
            return true
        })
        XCTAssertEqual(delivered, Array(0..<50))
    }
}
