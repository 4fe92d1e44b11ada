import Foundation
import Kafka
@testable import SecStreamKafkaRuntime
@testable import SecStreamPipeline
import TestSupport
import XCTest

/// The group's side topic of checkpoints against Tansu: created compacted,
/// and the latest state of each partition read back.
final class KafkaStateStoreTests: XCTestCase {
    func testStateTopicIsCreatedCompactedAndKeepsTheLatestStatePerPartition() throws {
        let broker = try TansuBroker()
        let store = KafkaStateStore(group: "det", config: try KafkaConfig(bootstrap: broker.bootstrap))
        defer { store.close() }
        try store.prepare()
        try store.prepare() // an existing topic is fine
        XCTAssertEqual(store.topic, "det.secstream-state")

        try store.save([0: KafkaPartitionState(resume: 10, mark: AlertMark()),
                        1: KafkaPartitionState(resume: 20, mark: AlertMark(time: 5, ids: ["a"]))], dataTopic: "events")
        try store.save([0: KafkaPartitionState(resume: 15, mark: AlertMark(time: 7, ids: ["b"]))], dataTopic: "events")
        try store.save([0: KafkaPartitionState(resume: 99, mark: AlertMark())], dataTopic: "other")
        let loaded = try store.load(dataTopic: "events")
        XCTAssertEqual(loaded, [0: KafkaPartitionState(resume: 15, mark: AlertMark(time: 7, ids: ["b"])),
                                1: KafkaPartitionState(resume: 20, mark: AlertMark(time: 5, ids: ["a"]))])

        // The broker's view of the topic's config, through confluent-kafka's AdminClient (DescribeConfigs).
        let policy = try broker.python("""
            import os
            from confluent_kafka.admin import AdminClient, ConfigResource
            admin = AdminClient({"bootstrap.servers": os.environ["BOOTSTRAP"]})
            for _, f in admin.describe_configs([ConfigResource("topic", "det.secstream-state")]).items():
                print(f.result(timeout=10)["cleanup.policy"].value)
            """)
        XCTAssertEqual(policy.trimmingCharacters(in: .whitespacesAndNewlines), "compact")
    }
}
