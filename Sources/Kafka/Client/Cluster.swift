import Foundation

/// A topic partition.
public struct TopicPartition: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    public static func < (a: TopicPartition, b: TopicPartition) -> Bool {
        a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition
    }
    public var description: String { "\(topic)/\(partition)" }
}

/// The client's view of the cluster: brokers, partition leaders, and one
/// lazily opened connection per broker. Thread-safe.
public final class Cluster {
    public let config: KafkaConfig
    let lock = NSLock()
    var brokers: [Int32: BrokerInfo] = [:]
    var connections: [Int32: BrokerConnection] = [:]
    /// topic -> partition -> leader node id
    var leaders: [String: [Int32: Int32]] = [:]
    var partitionCounts: [String: Int] = [:]
    var lastRefresh: [String: Date] = [:]
    var bootstrapConnection: BrokerConnection?

    public init(config: KafkaConfig) { self.config = config }

    public func close() {
        lock.lock()
        let conns = Array(connections.values) + (bootstrapConnection.map { [$0] } ?? [])
        connections = [:]
        bootstrapConnection = nil
        lock.unlock()
        for c in conns { c.close() }
    }

    /// A live connection to any broker: a known one, else a bootstrap server.
    public func anyConnection() throws -> BrokerConnection {
        lock.lock()
        if let c = connections.values.first(where: { !$0.isBroken }) { lock.unlock(); return c }
        if let c = bootstrapConnection, !c.isBroken { lock.unlock(); return c }
        let known = Array(brokers.values)
        lock.unlock()
        var lastError: Error = KafkaError.connection("no brokers")
        for b in known {
            if let c = try? connection(to: b.nodeId) { return c }
        }
        for (host, port) in config.bootstrap {
            do {
                let c = try BrokerConnection(nodeId: -1, host: host, port: port, config: config)
                lock.lock()
                bootstrapConnection = c
                lock.unlock()
                return c
            } catch { lastError = error }
        }
        throw lastError
    }

    /// The (cached) connection to broker `nodeId`, reconnecting if it broke.
    public func connection(to nodeId: Int32) throws -> BrokerConnection {
        lock.lock()
        if let c = connections[nodeId], !c.isBroken { lock.unlock(); return c }
        guard let b = brokers[nodeId] else {
            lock.unlock()
            throw KafkaError.connection("broker \(nodeId) is not in the metadata")
        }
        lock.unlock()
        let c = try BrokerConnection(nodeId: nodeId, host: b.host, port: b.port, config: config)
        lock.lock()
        defer { lock.unlock() }
        if let existing = connections[nodeId], !existing.isBroken { c.close(); return existing }
        connections[nodeId] = c
        return c
    }

    /// A new connection to the broker, not shared (e.g. for a heartbeat thread).
    public func dedicatedConnection(host: String, port: Int32) throws -> BrokerConnection {
        try BrokerConnection(nodeId: -1, host: host, port: port, config: config)
    }

    /// Fetches metadata for `topics` (nil = all) and updates leaders and brokers.
    @discardableResult
    public func refresh(topics: [String]?, allowAutoCreate: Bool = false) throws -> MetadataResponse {
        var lastError: Error = KafkaError.connection("no brokers reachable")
        for _ in 0..<3 {
            let conn: BrokerConnection
            do { conn = try anyConnection() } catch { lastError = error; continue }
            do {
                let resp = try conn.request(MetadataRequest(topics: topics, allowAutoTopicCreation: allowAutoCreate))
                apply(resp)
                return resp
            } catch {
                lastError = error
                conn.close()
            }
        }
        throw lastError
    }

    func apply(_ resp: MetadataResponse) {
        lock.lock()
        defer { lock.unlock() }
        for b in resp.brokers {
            if let old = brokers[b.nodeId], old != b, let c = connections.removeValue(forKey: b.nodeId) { c.close() }
            brokers[b.nodeId] = b
        }
        let now = Date()
        for t in resp.topics where t.errorCode == .none {
            var map: [Int32: Int32] = [:]
            for p in t.partitions { map[p.partition] = p.leader }
            leaders[t.name] = map
            partitionCounts[t.name] = t.partitions.count
            lastRefresh[t.name] = now
        }
    }

    /// Partition count of a topic, fetching metadata when unknown or stale.
    public func partitionCount(_ topic: String, allowAutoCreate: Bool = false) throws -> Int {
        if let n = cachedPartitionCount(topic) { return n }
        let resp = try refresh(topics: [topic], allowAutoCreate: allowAutoCreate)
        if let t = resp.topics.first(where: { $0.name == topic }), t.errorCode != .none {
            throw KafkaError.broker(code: t.errorCode, context: "metadata for topic \(topic)")
        }
        // Read the count from this response, not back from the cache: the sender thread may
        // invalidate the topic (after a produce error) between `apply` and a cache read.
        guard let n = resp.topics.first(where: { $0.name == topic })?.partitions.count, n > 0 else {
            throw KafkaError.broker(code: .unknownTopicOrPartition, context: "metadata for topic \(topic)")
        }
        return n
    }

    func cachedPartitionCount(_ topic: String) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard let n = partitionCounts[topic], let at = lastRefresh[topic],
              Date().timeIntervalSince(at) * 1000 < Double(config.metadataMaxAgeMs) else { return nil }
        return n
    }

    /// Leader node of a partition (-1 when none is known).
    public func leader(_ tp: TopicPartition) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        return leaders[tp.topic]?[tp.partition] ?? -1
    }

    /// Forgets a topic's leaders so the next lookup refreshes them.
    public func invalidate(_ topic: String) {
        lock.lock()
        defer { lock.unlock() }
        lastRefresh[topic] = nil
    }

    public func broker(_ nodeId: Int32) -> BrokerInfo? {
        lock.lock()
        defer { lock.unlock() }
        return brokers[nodeId]
    }

    /// Creates a topic (TOPIC_ALREADY_EXISTS counts as success, and leaves
    /// the existing topic's configs as they are).
    public func createTopic(name: String, partitions: Int32, replicationFactor: Int16, configs: [String: String] = [:],
                            timeoutMs: Int32 = 30_000) throws {
        try refresh(topics: [])
        lock.lock()
        let controller = brokers.keys.sorted().first
        lock.unlock()
        let conn = try controller.map { try connection(to: $0) } ?? anyConnection()
        let resp = try conn.request(CreateTopicsRequest(topics: [.init(name: name, partitions: partitions, replicationFactor: replicationFactor,
                                                                          configs: configs)], timeoutMs: timeoutMs))
        for r in resp.results where r.errorCode != .none && r.errorCode != .topicAlreadyExists {
            throw KafkaError.broker(code: r.errorCode, context: "create topic \(name): \(r.message ?? "")")
        }
        invalidate(name)
    }

    /// Resolves EARLIEST (-2), LATEST (-1) or a timestamp for each partition.
    public func listOffsets(_ partitions: [TopicPartition], timestamp: Int64) throws -> [TopicPartition: Int64] {
        var byLeader: [Int32: [TopicPartition]] = [:]
        for tp in partitions {
            var l = leader(tp)
            if l < 0 { try refresh(topics: [tp.topic]); l = leader(tp) }
            if l < 0 { throw KafkaError.broker(code: .unknownTopicOrPartition, context: "list offsets \(tp): no leader") }
            byLeader[l, default: []].append(tp)
        }
        var out: [TopicPartition: Int64] = [:]
        for (node, tps) in byLeader {
            let grouped = Dictionary(grouping: tps, by: \.topic)
            let req = ListOffsetsRequest(topics: grouped.map { ($0.key, $0.value.map { ($0.partition, timestamp) }) })
            let resp = try connection(to: node).request(req)
            for r in resp.results {
                guard r.errorCode == .none else {
                    throw KafkaError.broker(code: r.errorCode, context: "list offsets \(r.topic)/\(r.partition)")
                }
                out[TopicPartition(r.topic, r.partition)] = r.offset
            }
        }
        return out
    }
}
