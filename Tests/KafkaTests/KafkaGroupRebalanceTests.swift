import Foundation
import XCTest
@testable import Kafka
import KafkaTestSupport

/// A group member against a coordinator whose SyncGroup keeps answering
/// REBALANCE_IN_PROGRESS (as Tansu did to three members for minutes, and
/// does for good when a leader dies mid-rebalance): the member spaces its
/// rejoins with random pauses, succeeds when the coordinator does, and a
/// caller that stops is not held in the loop.
final class KafkaGroupRebalanceTests: XCTestCase {
    /// Non-flexible layouts: FindCoordinator v0, JoinGroup v2, SyncGroup v1, Heartbeat v1, LeaveGroup v1.
    private func coordinator(failSyncs: Int) throws -> ScriptedBroker {
        var broker: ScriptedBroker!
        let lock = NSLock()
        var syncs = 0
        broker = try ScriptedBroker { api, _, _ in
            var w = WireWriter()
            switch api {
            case .findCoordinator:
                w.int16(0); w.int32(1); w.string("127.0.0.1", flexible: false); w.int32(broker.port)
            case .joinGroup:
                // This member follows; the leader is someone else.
                w.int32(0); w.int16(0); w.int32(7); w.string("range", flexible: false)
                w.string("leader-1", flexible: false); w.string("member-2", flexible: false)
                w.arrayLength(0, flexible: false)
            case .syncGroup:
                lock.lock(); syncs += 1; let n = syncs; lock.unlock()
                w.int32(0)
                if n <= failSyncs {
                    w.int16(ErrorCode.rebalanceInProgress.rawValue); w.bytesField([], flexible: false)
                } else {
                    w.int16(0); w.bytesField(GroupAssignment(partitions: [TopicPartition("t", 0)]).encode(), flexible: false)
                }
            case .heartbeat, .leaveGroup:
                w.int32(0); w.int16(0)
            default:
                return nil
            }
            return w.bytes
        }
        broker.advertised = [(.apiVersions, 0, 3), (.metadata, 1, 1), (.findCoordinator, 0, 0), (.joinGroup, 2, 2),
                             (.syncGroup, 1, 1), (.heartbeat, 1, 1), (.leaveGroup, 1, 1)]
        return broker
    }

    private func member(_ broker: ScriptedBroker) throws -> GroupMember {
        let options = ConsumerOptions(sessionTimeoutMs: 2_000)
        return GroupMember(groupId: "g", cluster: Cluster(config: try KafkaConfig(bootstrap: broker.bootstrap)), options: options)
    }

    func testRepeatedSyncFailuresRejoinAfterRandomPausesUntilTheGroupSettles() throws {
        let broker = try coordinator(failSyncs: 8)
        defer { broker.stop() }
        let m = try member(broker)
        defer { m.leave() }
        let start = Date()
        let assigned = try m.joinAndSync(topics: ["t"], owned: [])
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(assigned, [TopicPartition("t", 0)])
        XCTAssertEqual(broker.count(.joinGroup), 9, "one JoinGroup per failed SyncGroup, then the one that settles")
        // Pauses after the 2nd..8th failure, each uniform in 0...min(1000, 100 << n) ms:
        // ~2.5 s expected; all of them together under 0.2 s is vanishingly unlikely.
        XCTAssertGreaterThan(elapsed, 0.2, "rejoins are spaced, not immediate")
        XCTAssertLessThan(elapsed, 15, "each pause stays under half the session timeout")
    }

    func testAStopInterruptsARebalanceThatNeverSettles() throws {
        let broker = try coordinator(failSyncs: .max)
        defer { broker.stop() }
        let m = try member(broker)
        defer { m.leave() }
        let stop = Date().addingTimeInterval(1)
        m.interrupted = { Date() > stop }
        let start = Date()
        XCTAssertThrowsError(try m.joinAndSync(topics: ["t"], owned: [])) {
            XCTAssertEqual($0 as? KafkaError, .interrupted)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 4, "out of the loop within one round after the stop")
        XCTAssertGreaterThanOrEqual(broker.count(.syncGroup), 1)
    }

    /// The same through the consumer: `interrupt` (what `process` answers with
    /// "stop signal raised, or `--until-idle` ran out") reaches the group
    /// member, and `poll` throws instead of rejoining forever.
    func testConsumerPollIsInterruptedOutOfANeverSettlingRebalance() throws {
        let broker = try coordinator(failSyncs: .max)
        defer { broker.stop() }
        let consumer = KafkaConsumer(config: try KafkaConfig(bootstrap: broker.bootstrap),
                                     options: ConsumerOptions(sessionTimeoutMs: 2_000))
        defer { consumer.close() }
        consumer.subscribe(topic: "t", group: "g")
        let stop = Date().addingTimeInterval(1)
        consumer.interrupt = { Date() > stop }
        XCTAssertThrowsError(try consumer.poll(timeoutMs: 100)) { XCTAssertEqual($0 as? KafkaError, .interrupted) }
        XCTAssertGreaterThanOrEqual(broker.count(.joinGroup), 2, "it went round before the stop")
    }
}
