/// Administrative calls that belong to neither producing nor consuming:
/// topic creation, partition counts and log offsets.
public final class KafkaAdmin {
    public let cluster: Cluster

    public init(config: KafkaConfig) { cluster = Cluster(config: config) }

    /// Creates a topic with topic-level `configs` (e.g. `cleanup.policy`:
    /// `compact`); an existing topic is not an error and keeps its configs.
    public func createTopic(name: String, partitions: Int32, replicationFactor: Int16 = 1,
                            configs: [String: String] = [:]) throws {
        try cluster.createTopic(name: name, partitions: partitions, replicationFactor: replicationFactor, configs: configs)
    }

    public func partitionCount(topic: String) throws -> Int {
        try cluster.partitionCount(topic)
    }

    /// Earliest or latest offset of each partition of `topic`.
    public func offsets(topic: String, _ position: StartPosition) throws -> [TopicPartition: Int64] {
        let n = try cluster.partitionCount(topic)
        return try cluster.listOffsets((0..<n).map { TopicPartition(topic, Int32($0)) },
                                       timestamp: position == .earliest ? ListOffsetsRequest.earliest : ListOffsetsRequest.latest)
    }

    public func close() { cluster.close() }
}
