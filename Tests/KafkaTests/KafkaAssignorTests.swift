import XCTest
@testable import Kafka

final class KafkaAssignorTests: XCTestCase {
    func tps(_ topic: String, _ ps: [Int32]) -> [TopicPartition] { ps.map { TopicPartition(topic, $0) } }

    func testRangeAssignorMatchesJavaLayout() {
        let subs = ["m1": GroupSubscription(topics: ["a", "b"]), "m2": GroupSubscription(topics: ["a", "b"])]
        let plan = GroupAssignor.range.assign(members: subs, partitionCounts: ["a": 3, "b": 2])
        XCTAssertEqual(plan["m1"], tps("a", [0, 1]) + tps("b", [0]))
        XCTAssertEqual(plan["m2"], tps("a", [2]) + tps("b", [1]))
    }

    func testCooperativeStickyBalancesFreshGroup() {
        let subs = ["x": GroupSubscription(topics: ["t"]), "y": GroupSubscription(topics: ["t"]), "z": GroupSubscription(topics: ["t"])]
        let plan = GroupAssignor.cooperativeSticky.assign(members: subs, partitionCounts: ["t": 8])
        XCTAssertEqual(plan.values.map(\.count).sorted(), [2, 3, 3])
        XCTAssertEqual(Set(plan.values.flatMap { $0 }).count, 8)
    }

    func testCooperativeStickyKeepsOwnedAndDefersMoves() {
        // m1 owned everything; m2 joins. m1 keeps half, m2 gets nothing this
        // round (the moving partitions are still owned by m1), next round m2 gets them.
        let all = tps("t", [0, 1, 2, 3])
        var subs = ["m1": GroupSubscription(topics: ["t"], ownedPartitions: all), "m2": GroupSubscription(topics: ["t"])]
        let first = GroupAssignor.cooperativeSticky.assign(members: subs, partitionCounts: ["t": 4])
        XCTAssertEqual(first["m1"], tps("t", [0, 1]))
        XCTAssertEqual(first["m2"], [])
        subs["m1"] = GroupSubscription(topics: ["t"], ownedPartitions: first["m1"]!)
        let second = GroupAssignor.cooperativeSticky.assign(members: subs, partitionCounts: ["t": 4])
        XCTAssertEqual(second["m1"], tps("t", [0, 1]))
        XCTAssertEqual(second["m2"], tps("t", [2, 3]))
    }

    func testSubscriptionAndAssignmentEncodingRoundTrip() throws {
        let s = GroupSubscription(topics: ["a", "b"], userData: [1, 2], ownedPartitions: tps("a", [0, 2]))
        XCTAssertEqual(try GroupSubscription.decode(s.encode()), s)
        let a = GroupAssignment(partitions: tps("a", [1]) + tps("b", [0, 3]))
        XCTAssertEqual(try GroupAssignment.decode(a.encode()), a)
        XCTAssertEqual(try GroupAssignment.decode([]).partitions, [])
        XCTAssertThrowsError(try GroupSubscription.decode([0, 1, 0, 0, 0, 5]))
    }
}
