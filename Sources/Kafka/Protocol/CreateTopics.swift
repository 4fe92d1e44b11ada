/// CreateTopics (key 19).
public struct CreateTopicsRequest: KafkaRequest {
    public typealias Response = CreateTopicsResponse
    public static let api = KafkaAPI(.createTopics, versions: 2...5, firstFlexible: 5)

    public struct Topic {
        public var name: String
        public var partitions: Int32
        public var replicationFactor: Int16
        /// Topic configs (e.g. `cleanup.policy`), sent sorted by name so the
        /// request bytes do not depend on dictionary order.
        public var configs: [String: String]
        public init(name: String, partitions: Int32, replicationFactor: Int16, configs: [String: String] = [:]) {
            self.name = name
            self.partitions = partitions
            self.replicationFactor = replicationFactor
            self.configs = configs
        }
    }

    public var topics: [Topic]
    public var timeoutMs: Int32
    public init(topics: [Topic], timeoutMs: Int32) {
        self.topics = topics
        self.timeoutMs = timeoutMs
    }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.array(topics, flexible: flex) { w, t in
            w.string(t.name, flexible: flex)
            w.int32(t.partitions)
            w.int16(t.replicationFactor)
            w.arrayLength(0, flexible: flex) // assignments
            w.array(t.configs.sorted(by: { $0.key < $1.key }), flexible: flex) { w, config in
                w.string(config.key, flexible: flex)
                w.nullableString(config.value, flexible: flex)
            }
        }
        w.int32(timeoutMs)
        w.bool(false) // validate_only
        w.tags(flex)
    }
}

public struct CreateTopicsResponse: KafkaResponse {
    public var results: [(name: String, errorCode: ErrorCode, message: String?)] = []
    public init(from r: inout WireReader, version: Int16) {
        let flex = CreateTopicsRequest.isFlexible(version)
        _ = r.int32()
        r.array(flexible: flex) { r in
            let name = r.string(flexible: flex)
            let err = ErrorCode(rawValue: r.int16())
            let msg = r.nullableString(flexible: flex)
            if version >= 5 {
                _ = r.int32() // num_partitions
                _ = r.int16() // replication_factor
                r.array(flexible: flex) { r in // configs
                    _ = r.string(flexible: flex)
                    _ = r.nullableString(flexible: flex)
                    _ = r.bool()
                    _ = r.int8()
                    _ = r.bool()
                }
            }
            results.append((name, err, msg))
        }
        r.skipTags(flex)
    }
}
