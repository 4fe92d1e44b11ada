/// OffsetFetch (key 9): reads a group's committed positions and metadata strings.
public struct OffsetFetchRequest: KafkaRequest {
    public typealias Response = OffsetFetchResponse
    public static let apiKey = APIKey.offsetFetch
    public static let versions: ClosedRange<Int16> = 1...7
    public static let firstFlexible: Int16 = 6
    public var groupId: String
    public var topics: [(name: String, partitions: [Int32])]
    public init(groupId: String, topics: [(name: String, partitions: [Int32])]) {
        self.groupId = groupId
        self.topics = topics
    }

    public func encode(_ w: inout WireWriter, version: Int16) {
        let flex = Self.isFlexible(version)
        w.string(groupId, flexible: flex)
        w.arrayLength(topics.count, flexible: flex)
        for t in topics {
            w.string(t.name, flexible: flex)
            w.arrayLength(t.partitions.count, flexible: flex)
            for p in t.partitions { w.int32(p) }
            w.tags(flex)
        }
        if version >= 7 { w.bool(false) } // require_stable
        w.tags(flex)
    }
}

public struct OffsetFetchResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public var results: [(topic: String, partition: Int32, offset: Int64, metadata: String?, errorCode: ErrorCode)] = []
    public init(from r: inout WireReader, version: Int16) {
        let flex = version >= 6
        if version >= 3 { _ = r.int32() }
        for _ in 0..<r.count(flexible: flex) {
            let name = r.string(flexible: flex)
            for _ in 0..<r.count(flexible: flex) {
                let idx = r.int32()
                let off = r.int64()
                if version >= 5 { _ = r.int32() }
                let meta = r.nullableString(flexible: flex)
                let err = ErrorCode(rawValue: r.int16())
                r.skipTags(flex)
                results.append((name, idx, off, meta, err))
            }
            r.skipTags(flex)
        }
        if version >= 2 { errorCode = ErrorCode(rawValue: r.int16()) }
        r.skipTags(flex)
    }
}
