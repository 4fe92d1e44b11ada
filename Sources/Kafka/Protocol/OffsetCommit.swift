/// OffsetCommit (key 8): stores consumed positions (and a metadata string) for a group.
public struct OffsetCommitRequest: KafkaRequest {
    public typealias Response = OffsetCommitResponse
    public static let apiKey = APIKey.offsetCommit
    public static let versions: ClosedRange<Int16> = 2...8
    public static let firstFlexible: Int16 = 8
    public var groupId: String
    /// -1 / "" for a simple (non-member) commit.
    public var generationId: Int32
    public var memberId: String
    public var topics: [(name: String, partitions: [(partition: Int32, offset: Int64, metadata: String?)])]

    public init(groupId: String, generationId: Int32, memberId: String,
                topics: [(name: String, partitions: [(partition: Int32, offset: Int64, metadata: String?)])]) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.topics = topics
    }

    public func encode(_ w: inout WireWriter, version: Int16) {
        let flex = Self.isFlexible(version)
        w.string(groupId, flexible: flex)
        w.int32(generationId)
        w.string(memberId, flexible: flex)
        if version <= 4 { w.int64(-1) } // retention: broker default
        if version >= 7 { w.nullableString(nil, flexible: flex) }
        w.arrayLength(topics.count, flexible: flex)
        for t in topics {
            w.string(t.name, flexible: flex)
            w.arrayLength(t.partitions.count, flexible: flex)
            for p in t.partitions {
                w.int32(p.partition)
                w.int64(p.offset)
                if version >= 6 { w.int32(-1) }
                w.nullableString(p.metadata, flexible: flex)
                w.tags(flex)
            }
            w.tags(flex)
        }
        w.tags(flex)
    }
}

public struct OffsetCommitResponse: KafkaResponse {
    public var results: [(topic: String, partition: Int32, errorCode: ErrorCode)] = []
    public init(from r: inout WireReader, version: Int16) {
        let flex = version >= 8
        if version >= 3 { _ = r.int32() }
        for _ in 0..<r.count(flexible: flex) {
            let name = r.string(flexible: flex)
            for _ in 0..<r.count(flexible: flex) {
                let idx = r.int32()
                let err = ErrorCode(rawValue: r.int16())
                r.skipTags(flex)
                results.append((name, idx, err))
            }
            r.skipTags(flex)
        }
        r.skipTags(flex)
    }
}
