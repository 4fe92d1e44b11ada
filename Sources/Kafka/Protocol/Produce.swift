/// Produce (key 0): appends encoded record batches to partitions.
public struct ProduceRequest: KafkaRequest {
    public typealias Response = ProduceResponse
    public static let apiKey = APIKey.produce
    public static let versions: ClosedRange<Int16> = 3...9
    public static let firstFlexible: Int16 = 9

    public struct Partition {
        public var partition: Int32
        /// One encoded record batch (v2).
        public var records: [UInt8]
    }

    public var acks: Int16
    public var timeoutMs: Int32
    /// topic -> partitions, in a stable order.
    public var topics: [(name: String, partitions: [Partition])]

    public init(acks: Int16, timeoutMs: Int32, topics: [(name: String, partitions: [Partition])]) {
        self.acks = acks
        self.timeoutMs = timeoutMs
        self.topics = topics
    }

    public func encode(_ w: inout WireWriter, version: Int16) {
        let flex = Self.isFlexible(version)
        w.nullableString(nil, flexible: flex) // transactional_id
        w.int16(acks)
        w.int32(timeoutMs)
        w.arrayLength(topics.count, flexible: flex)
        for t in topics {
            w.string(t.name, flexible: flex)
            w.arrayLength(t.partitions.count, flexible: flex)
            for p in t.partitions {
                w.int32(p.partition)
                w.bytesField(p.records, flexible: flex)
                w.tags(flex)
            }
            w.tags(flex)
        }
        w.tags(flex)
    }
}

public struct ProducePartitionResult: Sendable {
    public var topic: String
    public var partition: Int32
    public var errorCode: ErrorCode
    public var baseOffset: Int64
    public var errorMessage: String?
}

public struct ProduceResponse: KafkaResponse {
    public var results: [ProducePartitionResult] = []

    public init(from r: inout WireReader, version: Int16) {
        let flex = version >= 9
        for _ in 0..<r.count(flexible: flex) {
            let name = r.string(flexible: flex)
            for _ in 0..<r.count(flexible: flex) {
                let idx = r.int32()
                let err = ErrorCode(rawValue: r.int16())
                let base = r.int64()
                if version >= 2 { _ = r.int64() } // log_append_time
                if version >= 5 { _ = r.int64() } // log_start_offset
                var message: String?
                if version >= 8 {
                    for _ in 0..<r.count(flexible: flex) {
                        _ = r.int32()
                        _ = r.nullableString(flexible: flex)
                        r.skipTags(flex)
                    }
                    message = r.nullableString(flexible: flex)
                }
                r.skipTags(flex)
                results.append(ProducePartitionResult(topic: name, partition: idx, errorCode: err,
                                                      baseOffset: base, errorMessage: message))
            }
            r.skipTags(flex)
        }
        _ = r.int32() // throttle
        r.skipTags(flex)
    }
}
