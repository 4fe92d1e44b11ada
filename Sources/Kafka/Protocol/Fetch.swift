/// Fetch (key 1): reads record batches from partitions. This client uses
/// full fetches (session id 0, epoch -1): simple and correct on every broker.
public struct FetchRequest: KafkaRequest {
    public typealias Response = FetchResponse
    public static let api = KafkaAPI(.fetch, versions: 4...12, firstFlexible: 12)

    public struct Partition {
        public var partition: Int32
        public var fetchOffset: Int64
        public var maxBytes: Int32
    }

    public var maxWaitMs: Int32
    public var minBytes: Int32
    public var maxBytes: Int32
    public var isolationLevel: Int8 = 0
    public var topics: [(name: String, partitions: [Partition])]

    public init(maxWaitMs: Int32, minBytes: Int32, maxBytes: Int32, topics: [(name: String, partitions: [Partition])]) {
        self.maxWaitMs = maxWaitMs
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.topics = topics
    }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.int32(-1) // replica_id: a consumer
        w.int32(maxWaitMs)
        w.int32(minBytes)
        w.int32(maxBytes)
        w.int8(isolationLevel)
        if version >= 7 {
            w.int32(0) // session_id
            w.int32(-1) // session_epoch: no session
        }
        w.topicPartitions(topics, flexible: flex) { w, p in
            w.int32(p.partition)
            if version >= 9 { w.int32(-1) } // current_leader_epoch: unknown
            w.int64(p.fetchOffset)
            if version >= 12 { w.int32(-1) } // last_fetched_epoch
            if version >= 5 { w.int64(-1) } // log_start_offset (followers only)
            w.int32(p.maxBytes)
        }
        if version >= 7 { w.arrayLength(0, flexible: flex) } // forgotten topics
        if version >= 11 { w.string("", flexible: flex) } // rack_id
        w.tags(flex)
    }
}

public struct FetchPartitionResult {
    public var topic: String
    public var partition: Int32
    public var errorCode: ErrorCode
    public var highWatermark: Int64
    public var logStartOffset: Int64
    /// Byte range of the record batches inside the response buffer.
    public var records: Range<Int>
}

public struct FetchResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public var partitions: [FetchPartitionResult] = []

    public init(from r: inout WireReader, version: Int16) {
        let flex = FetchRequest.isFlexible(version)
        _ = r.int32() // throttle
        if version >= 7 {
            errorCode = ErrorCode(rawValue: r.int16())
            _ = r.int32() // session id
        }
        r.topicPartitions(flexible: flex) { r, topic in
            let idx = r.int32()
            let err = ErrorCode(rawValue: r.int16())
            let hw = r.int64()
            _ = r.int64() // last stable offset
            let logStart = version >= 5 ? r.int64() : -1
            r.array(flexible: flex) { r in // aborted transactions
                _ = r.int64() // producer id
                _ = r.int64() // first offset
            }
            if version >= 11 { _ = r.int32() } // preferred read replica
            let recs = r.bytesRange(flexible: flex) ?? (r.pos..<r.pos)
            partitions.append(FetchPartitionResult(topic: topic, partition: idx, errorCode: err,
                                                   highWatermark: hw, logStartOffset: logStart, records: recs))
        }
        r.skipTags(flex)
    }
}
