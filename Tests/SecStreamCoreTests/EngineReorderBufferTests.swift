import XCTest
@testable import SecStreamCore

/// The reorder buffer against the order it promises, (event time, arrival),
/// computed the slow way: records from several inputs, each mostly in time
/// order with some behind their input's tail, interleaved by jobs as Kafka
/// partitions and merged files are, with pops in between.
final class EngineReorderBufferTests: XCTestCase {
    private func record(_ time: Int64, _ arrival: UInt64) -> PendingMatch {
        PendingMatch(time: time, arrival: arrival, target: 0, group: 0, value: 0, number: 0, eventHash: arrival,
                     location: EventLocation(source: 0, position: Int64(arrival)))
    }

    func testPopsInTimeThenArrivalOrderAcrossInputs() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<200 {
            let buffer = ReorderBuffer()
            var reference: [(time: Int64, arrival: UInt64)] = []
            let inputs = [1, 2, 6, 40, ReorderBuffer.maxRuns + 3].randomElement(using: &rng)!
            var clocks = (0..<inputs).map { _ in Int64.random(in: 0..<1_000, using: &rng) }
            var arrival: UInt64 = 0
            var popped: [UInt64] = []
            var expected: [UInt64] = []
            func popOne() {
                let i = reference.indices.min { a, b in
                    reference[a].time != reference[b].time ? reference[a].time < reference[b].time
                        : reference[a].arrival < reference[b].arrival
                }!
                XCTAssertEqual(buffer.nextTimeOrMax, reference[i].time, "round \(round)")
                expected.append(reference.remove(at: i).arrival)
                popped.append(buffer.pop().arrival)
            }
            for _ in 0..<Int.random(in: 1...60, using: &rng) {
                // A job: one input's records, mostly in order, a few behind its tail, equal times too.
                let input = Int.random(in: 0..<inputs, using: &rng)
                for _ in 0..<Int.random(in: 0...30, using: &rng) {
                    let step = Int64.random(in: 0...3, using: &rng)
                    let behind = Int.random(in: 0..<10, using: &rng) == 0
                    let time = behind ? clocks[input] - Int64.random(in: 1...50, using: &rng) : clocks[input] + step
                    if !behind { clocks[input] = time }
                    buffer.push(record(time, arrival), input: input)
                    reference.append((time, arrival))
                    arrival += 1
                }
                XCTAssertEqual(buffer.count, reference.count)
                // The watermark releases some: pop a random share.
                for _ in 0..<Int.random(in: 0...reference.count, using: &rng) { popOne() }
            }
            while !reference.isEmpty { popOne() }
            XCTAssertTrue(buffer.isEmpty)
            XCTAssertEqual(buffer.nextTimeOrMax, .max)
            XCTAssertEqual(popped, expected, "round \(round): \(inputs) inputs")
        }
    }

    /// A record of an input it has not seen (a new partition) and negative
    /// inputs (records held for no input) take their place like any other.
    func testNewAndUnnumberedInputs() {
        let buffer = ReorderBuffer()
        buffer.push(record(50, 0), input: 7)
        buffer.push(record(10, 1), input: -1)
        buffer.push(record(30, 2), input: 0)
        buffer.push(record(30, 3), input: 7)   // behind input 7's tail: a straggler
        buffer.push(record(60, 4), input: 100 + ReorderBuffer.maxRuns)  // shares input 100's run
        XCTAssertEqual(buffer.nextTime, 10)
        XCTAssertEqual((0..<5).map { _ in buffer.pop().arrival }, [1, 2, 3, 0, 4])
        XCTAssertNil(buffer.nextTime)
    }
}
