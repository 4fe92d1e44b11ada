/// Metadata (key 3): brokers, topics and partition leaders.
public struct MetadataRequest: KafkaRequest {
    public typealias Response = MetadataResponse
    public static let api = KafkaAPI(.metadata, versions: 1...9, firstFlexible: 9)
    /// nil asks for all topics.
    public var topics: [String]?
    public var allowAutoTopicCreation: Bool
    public init(topics: [String]?, allowAutoTopicCreation: Bool = false) {
        self.topics = topics
        self.allowAutoTopicCreation = allowAutoTopicCreation
    }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.arrayLength(topics?.count, flexible: flex)
        for t in topics ?? [] {
            w.string(t, flexible: flex)
            w.tags(flex)
        }
        if version >= 4 { w.bool(allowAutoTopicCreation) }
        if version >= 8 {
            w.bool(false) // include_cluster_authorized_operations
            w.bool(false) // include_topic_authorized_operations
        }
        w.tags(flex)
    }
}

public struct BrokerInfo: Hashable, Sendable {
    public var nodeId: Int32
    public var host: String
    public var port: Int32
}

public struct PartitionMetadata: Sendable {
    public var errorCode: ErrorCode
    public var partition: Int32
    public var leader: Int32
    public var leaderEpoch: Int32
}

public struct TopicMetadata: Sendable {
    public var errorCode: ErrorCode
    public var name: String
    public var partitions: [PartitionMetadata]
}

public struct MetadataResponse: KafkaResponse {
    public var brokers: [BrokerInfo] = []
    public var controllerId: Int32 = -1
    public var topics: [TopicMetadata] = []

    public init(from r: inout WireReader, version: Int16) {
        let flex = MetadataRequest.isFlexible(version)
        if version >= 3 { _ = r.int32() }
        r.array(flexible: flex) { r in
            let id = r.int32()
            let host = r.string(flexible: flex)
            let port = r.int32()
            _ = r.nullableString(flexible: flex) // rack
            brokers.append(BrokerInfo(nodeId: id, host: host, port: port))
        }
        if version >= 2 { _ = r.nullableString(flexible: flex) } // cluster id
        controllerId = r.int32()
        r.array(flexible: flex) { r in
            let err = ErrorCode(rawValue: r.int16())
            let name = r.string(flexible: flex)
            _ = r.bool() // is_internal
            var parts: [PartitionMetadata] = []
            r.array(flexible: flex) { r in
                let perr = ErrorCode(rawValue: r.int16())
                let idx = r.int32()
                let leader = r.int32()
                let epoch = version >= 7 ? r.int32() : -1
                for _ in 0..<r.count(flexible: flex) { _ = r.int32() } // replicas
                for _ in 0..<r.count(flexible: flex) { _ = r.int32() } // isr
                if version >= 5 { for _ in 0..<r.count(flexible: flex) { _ = r.int32() } } // offline
                parts.append(PartitionMetadata(errorCode: perr, partition: idx, leader: leader, leaderEpoch: epoch))
            }
            if version >= 8 { _ = r.int32() } // topic authorized operations
            topics.append(TopicMetadata(errorCode: err, name: name, partitions: parts))
        }
        if version >= 8 { _ = r.int32() } // cluster authorized operations
        r.skipTags(flex)
    }
}
