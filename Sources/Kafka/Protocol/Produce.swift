/// Produce (key 0): appends encoded record batches to partitions.
public struct ProduceRequest: KafkaRequest {
    public typealias Response = ProduceResponse
    public static let api = KafkaAPI(.produce, versions: 3...9, firstFlexible: 9)

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

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.nullableString(nil, flexible: flex) // transactional_id
        w.int16(acks)
        w.int32(timeoutMs)
        w.topicPartitions(topics, flexible: flex) { w, p in
            w.int32(p.partition)
            w.bytesField(p.records, flexible: flex)
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
        let flex = ProduceRequest.isFlexible(version)
        r.topicPartitions(flexible: flex) { r, topic in
            let idx = r.int32()
            let err = ErrorCode(rawValue: r.int16())
            let base = r.int64()
            if version >= 2 { _ = r.int64() } // log_append_time
            if version >= 5 { _ = r.int64() } // log_start_offset
            var message: String?
            if version >= 8 {
                r.array(flexible: flex) { r in // record errors
                    _ = r.int32()
                    _ = r.nullableString(flexible: flex)
                }
                message = r.nullableString(flexible: flex)
            }
            results.append(ProducePartitionResult(topic: topic, partition: idx, errorCode: err,
                                                  baseOffset: base, errorMessage: message))
        }
        _ = r.int32() // throttle
        r.skipTags(flex)
    }
}
