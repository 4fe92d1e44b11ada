/// OffsetCommit (key 8): stores consumed positions (and a metadata string) for a group.
public struct OffsetCommitRequest: KafkaRequest {
    public typealias Response = OffsetCommitResponse
    public static let api = KafkaAPI(.offsetCommit, versions: 2...8, firstFlexible: 8)
    /// Generation -1, member "" for a simple (non-member) commit.
    public var member: GroupGeneration
    public var topics: [(name: String, partitions: [(partition: Int32, offset: Int64, metadata: String?)])]

    public init(groupId: String, generationId: Int32, memberId: String,
                topics: [(name: String, partitions: [(partition: Int32, offset: Int64, metadata: String?)])]) {
        member = GroupGeneration(groupId: groupId, generationId: generationId, memberId: memberId)
        self.topics = topics
    }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.groupGeneration(member, flexible: flex)
        if version <= 4 { w.int64(-1) } // retention: broker default
        if version >= 7 { w.nullableString(nil, flexible: flex) } // group_instance_id
        w.topicPartitions(topics, flexible: flex) { w, p in
            w.int32(p.partition)
            w.int64(p.offset)
            if version >= 6 { w.int32(-1) } // committed_leader_epoch
            w.nullableString(p.metadata, flexible: flex)
        }
        w.tags(flex)
    }
}

public struct OffsetCommitResponse: KafkaResponse {
    public var results: [(topic: String, partition: Int32, errorCode: ErrorCode)] = []
    public init(from r: inout WireReader, version: Int16) {
        let flex = OffsetCommitRequest.isFlexible(version)
        if version >= 3 { _ = r.int32() } // throttle
        r.topicPartitions(flexible: flex) { r, topic in
            let idx = r.int32()
            results.append((topic, idx, ErrorCode(rawValue: r.int16())))
        }
        r.skipTags(flex)
    }
}
