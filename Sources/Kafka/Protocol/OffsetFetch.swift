/// OffsetFetch (key 9): reads a group's committed positions and metadata strings.
public struct OffsetFetchRequest: KafkaRequest {
    public typealias Response = OffsetFetchResponse
    public static let api = KafkaAPI(.offsetFetch, versions: 1...7, firstFlexible: 6)
    public var groupId: String
    public var topics: [(name: String, partitions: [Int32])]
    public init(groupId: String, topics: [(name: String, partitions: [Int32])]) {
        self.groupId = groupId
        self.topics = topics
    }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.string(groupId, flexible: flex)
        w.topicPartitions(topics, flexible: flex, taggedPartitions: false) { w, p in w.int32(p) }
        if version >= 7 { w.bool(false) } // require_stable
        w.tags(flex)
    }
}

public struct OffsetFetchResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public var results: [(topic: String, partition: Int32, offset: Int64, metadata: String?, errorCode: ErrorCode)] = []
    public init(from r: inout WireReader, version: Int16) {
        let flex = OffsetFetchRequest.isFlexible(version)
        if version >= 3 { _ = r.int32() } // throttle
        r.topicPartitions(flexible: flex) { r, topic in
            let idx = r.int32()
            let off = r.int64()
            if version >= 5 { _ = r.int32() } // committed_leader_epoch
            let meta = r.nullableString(flexible: flex)
            results.append((topic, idx, off, meta, ErrorCode(rawValue: r.int16())))
        }
        if version >= 2 { errorCode = ErrorCode(rawValue: r.int16()) }
        r.skipTags(flex)
    }
}
