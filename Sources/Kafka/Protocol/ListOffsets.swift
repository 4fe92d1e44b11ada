/// ListOffsets (key 2): resolves a timestamp (or EARLIEST/LATEST) to an offset.
public struct ListOffsetsRequest: KafkaRequest {
    public typealias Response = ListOffsetsResponse
    public static let api = KafkaAPI(.listOffsets, versions: 1...7, firstFlexible: 6)
    public static let latest: Int64 = -1
    public static let earliest: Int64 = -2

    /// topic -> [(partition, timestamp)]
    public var topics: [(name: String, partitions: [(partition: Int32, timestamp: Int64)])]
    public init(topics: [(name: String, partitions: [(partition: Int32, timestamp: Int64)])]) { self.topics = topics }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.int32(-1) // replica id
        if version >= 2 { w.int8(0) } // read uncommitted
        w.topicPartitions(topics, flexible: flex) { w, p in
            w.int32(p.partition)
            if version >= 4 { w.int32(-1) } // current_leader_epoch
            w.int64(p.timestamp)
        }
        w.tags(flex)
    }
}

public struct ListOffsetsResponse: KafkaResponse {
    public var results: [(topic: String, partition: Int32, errorCode: ErrorCode, offset: Int64)] = []

    public init(from r: inout WireReader, version: Int16) {
        let flex = ListOffsetsRequest.isFlexible(version)
        if version >= 2 { _ = r.int32() } // throttle
        r.topicPartitions(flexible: flex) { r, topic in
            let idx = r.int32()
            let err = ErrorCode(rawValue: r.int16())
            _ = r.int64() // timestamp
            let off = r.int64()
            if version >= 4 { _ = r.int32() } // leader_epoch
            results.append((topic, idx, err, off))
        }
        r.skipTags(flex)
    }
}
