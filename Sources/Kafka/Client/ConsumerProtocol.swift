/// The "consumer" embedded protocol carried opaquely by JoinGroup/SyncGroup
/// (ConsumerProtocolSubscription / ConsumerProtocolAssignment schemas).
public struct GroupSubscription: Equatable {
    public var topics: [String]
    public var userData: [UInt8]?
    /// Partitions the member owns now (v1+), which cooperative assignors keep stable.
    public var ownedPartitions: [TopicPartition]

    public init(topics: [String], userData: [UInt8]? = nil, ownedPartitions: [TopicPartition] = []) {
        self.topics = topics
        self.userData = userData
        self.ownedPartitions = ownedPartitions
    }

    /// Encodes version 1 (topics, user data, owned partitions).
    public func encode() -> [UInt8] {
        var w = WireWriter()
        w.int16(1)
        w.arrayLength(topics.count, flexible: false)
        for t in topics { w.string(t, flexible: false) }
        w.nullableBytes(userData, flexible: false)
        encodePartitions(&w, ownedPartitions)
        return w.bytes
    }

    /// Decodes any version; fields newer than v1 (generation, rack) are ignored.
    public static func decode(_ bytes: [UInt8]) throws -> GroupSubscription {
        try bytes.withUnsafeBytes { raw in
            var r = WireReader(raw)
            let version = r.int16()
            var topics: [String] = []
            for _ in 0..<r.count(flexible: false) { topics.append(r.string(flexible: false)) }
            let userData = r.nullableBytes(flexible: false)
            let owned = version >= 1 ? decodePartitions(&r) : []
            try r.finish("consumer group subscription")
            return GroupSubscription(topics: topics, userData: userData, ownedPartitions: owned)
        }
    }
}

public struct GroupAssignment: Equatable {
    public var partitions: [TopicPartition]
    public var userData: [UInt8]?

    public init(partitions: [TopicPartition], userData: [UInt8]? = nil) {
        self.partitions = partitions
        self.userData = userData
    }

    public func encode() -> [UInt8] {
        var w = WireWriter()
        w.int16(1)
        encodePartitions(&w, partitions)
        w.nullableBytes(userData, flexible: false)
        return w.bytes
    }

    /// An empty byte string is a valid "nothing assigned" answer.
    public static func decode(_ bytes: [UInt8]) throws -> GroupAssignment {
        if bytes.isEmpty { return GroupAssignment(partitions: []) }
        return try bytes.withUnsafeBytes { raw in
            var r = WireReader(raw)
            _ = r.int16()
            let parts = decodePartitions(&r)
            let userData = r.remaining > 0 ? r.nullableBytes(flexible: false) : nil
            try r.finish("consumer group assignment")
            return GroupAssignment(partitions: parts, userData: userData)
        }
    }
}

func encodePartitions(_ w: inout WireWriter, _ parts: [TopicPartition]) {
    let byTopic = Dictionary(grouping: parts, by: \.topic)
    w.arrayLength(byTopic.count, flexible: false)
    for topic in byTopic.keys.sorted() {
        w.string(topic, flexible: false)
        let ps = byTopic[topic]!.map(\.partition).sorted()
        w.arrayLength(ps.count, flexible: false)
        for p in ps { w.int32(p) }
    }
}

func decodePartitions(_ r: inout WireReader) -> [TopicPartition] {
    var out: [TopicPartition] = []
    for _ in 0..<r.count(flexible: false) {
        let topic = r.string(flexible: false)
        for _ in 0..<r.count(flexible: false) { out.append(TopicPartition(topic, r.int32())) }
    }
    return out
}
