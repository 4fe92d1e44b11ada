/// ListOffsets (key 2): resolves a timestamp (or EARLIEST/LATEST) to an offset.
public struct ListOffsetsRequest: KafkaRequest {
    public typealias Response = ListOffsetsResponse
    public static let apiKey = APIKey.listOffsets
    public static let versions: ClosedRange<Int16> = 1...7
    public static let firstFlexible: Int16 = 6
    public static let latest: Int64 = -1
    public static let earliest: Int64 = -2

    /// topic -> [(partition, timestamp)]
    public var topics: [(name: String, partitions: [(partition: Int32, timestamp: Int64)])]
    public init(topics: [(name: String, partitions: [(partition: Int32, timestamp: Int64)])]) { self.topics = topics }

    public func encode(_ w: inout WireWriter, version: Int16) {
        let flex = Self.isFlexible(version)
        w.int32(-1) // replica id
        if version >= 2 { w.int8(0) } // read uncommitted
        w.arrayLength(topics.count, flexible: flex)
        for t in topics {
            w.string(t.name, flexible: flex)
            w.arrayLength(t.partitions.count, flexible: flex)
            for p in t.partitions {
                w.int32(p.partition)
                if version >= 4 { w.int32(-1) }
                w.int64(p.timestamp)
                w.tags(flex)
            }
            w.tags(flex)
        }
        w.tags(flex)
    }
}

public struct ListOffsetsResponse: KafkaResponse {
    public var results: [(topic: String, partition: Int32, errorCode: ErrorCode, offset: Int64)] = []

    public init(from r: inout WireReader, version: Int16) {
        let flex = version >= 6
        if version >= 2 { _ = r.int32() }
        for _ in 0..<r.count(flexible: flex) {
            let name = r.string(flexible: flex)
            for _ in 0..<r.count(flexible: flex) {
                let idx = r.int32()
                let err = ErrorCode(rawValue: r.int16())
                _ = r.int64() // timestamp
                let off = r.int64()
                if version >= 4 { _ = r.int32() }
                r.skipTags(flex)
                results.append((name, idx, err, off))
            }
            r.skipTags(flex)
        }
        r.skipTags(flex)
    }
}
