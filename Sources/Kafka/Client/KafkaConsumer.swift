import Foundation

/// A Kafka consumer, in assign mode (explicit partitions) or group mode
/// (`subscribe`: partitions come from the consumer group and move on rebalance).
///
/// Not thread-safe: one thread calls `poll`, `commit` and `close`; group
/// heartbeats run on their own thread. Rebalance callbacks run inside `poll`
/// (and `close`) on the polling thread, so the engine can flush and commit
/// in `onRevoked` before partitions move.
public final class KafkaConsumer {
    public let cluster: Cluster
    public let options: ConsumerOptions
    /// Called with partitions newly assigned (positions already resolved).
    public var onAssigned: (([TopicPartition]) -> Void)?
    /// Called with partitions about to be taken away; commit their offsets here.
    public var onRevoked: (([TopicPartition]) -> Void)?
    /// Checked between the rounds of a group rebalance: when it returns true,
    /// `poll` throws `KafkaError.interrupted` instead of rejoining again
    /// (Java's `wakeup()`, as a question the caller answers, e.g. "was a stop
    /// signal raised?"). Set it before the first `poll`.
    public var interrupt: () -> Bool = { false } {
        didSet { group?.interrupted = interrupt }
    }

    var positions: [TopicPartition: Int64] = [:]
    var highWatermarks: [TopicPartition: Int64] = [:]
    /// The offset a fetch last came back without records at, per partition.
    var emptyFetchAt: [TopicPartition: Int64] = [:]
    var group: GroupMember?
    var topics: [String] = []
    var closed = false

    public init(config: KafkaConfig, options: ConsumerOptions = ConsumerOptions()) {
        self.cluster = Cluster(config: config)
        self.options = options
    }

    /// The partitions currently consumed.
    public var assignment: [TopicPartition] { positions.keys.sorted() }

    /// The next offset `poll` will fetch for a partition.
    public func position(_ tp: TopicPartition) -> Int64? { positions[tp] }

    /// The partition's high watermark from the latest fetch (nil before the first).
    public func highWatermark(_ tp: TopicPartition) -> Int64? { highWatermarks[tp] }

    /// True when nothing is left to read in the partition right now: a fetch
    /// at its current position came back without records, and the position
    /// is not behind the high watermark that fetch reported.
    ///
    /// Neither half is enough alone. A high watermark can be stale (Tansu
    /// sometimes reports one below records it then serves), so reaching it
    /// does not prove the partition drained. And an empty answer can come
    /// from a response already filled by other partitions' records, while
    /// the high watermark (right on such brokers) shows more to read.
    public func isDrained(_ tp: TopicPartition) -> Bool {
        guard let pos = positions[tp], emptyFetchAt[tp] == pos, let hw = highWatermarks[tp] else { return false }
        return pos >= hw
    }

    /// True when every assigned partition is drained (`isDrained`): a bounded
    /// read of the topic's current contents is complete. Reaching the high
    /// watermark takes one more (empty) fetch at the position to count.
    public var isCaughtUp: Bool {
        !positions.isEmpty && positions.keys.allSatisfy(isDrained)
    }

    /// Assign mode: consume these partitions from the given offsets (nil
    /// starts at the configured start position). `group` enables commits.
    public func assign(_ partitions: [TopicPartition: Int64?], group groupId: String? = nil) throws {
        if let groupId {
            group = GroupMember(groupId: groupId, cluster: cluster, options: options)
        group?.interrupted = interrupt
            group?.interrupted = interrupt
        }
        try cluster.refresh(topics: Array(Set(partitions.keys.map(\.topic))))
        var unresolved: [TopicPartition] = []
        for (tp, off) in partitions {
            if let off { positions[tp] = off } else { unresolved.append(tp) }
        }
        try resolveStart(unresolved, useCommitted: group != nil)
    }

    /// Group mode: join `group` consuming `topics`. The first `poll` joins.
    public func subscribe(topics: [String], group groupId: String) {
        self.topics = topics
        group = GroupMember(groupId: groupId, cluster: cluster, options: options)
    }

    public func subscribe(topic: String, group groupId: String) { subscribe(topics: [topic], group: groupId) }

    /// Moves a partition's position.
    public func seek(_ tp: TopicPartition, to offset: Int64) {
        positions[tp] = offset
        emptyFetchAt[tp] = nil
    }

    /// Sets positions from committed offsets, else the start position.
    func resolveStart(_ tps: [TopicPartition], useCommitted: Bool) throws {
        guard !tps.isEmpty else { return }
        var missing = tps
        if useCommitted, let group {
            let committed = try group.committed(tps)
            for (tp, c) in committed { positions[tp] = c.offset }
            missing = tps.filter { committed[$0] == nil }
        }
        guard !missing.isEmpty else { return }
        let ts = options.startPosition == .earliest ? ListOffsetsRequest.earliest : ListOffsetsRequest.latest
        let offsets = try cluster.listOffsets(missing, timestamp: ts)
        for tp in missing { positions[tp] = offsets[tp] ?? 0 }
    }

    /// Rejoins the group when needed, running the rebalance callbacks.
    func maintainGroup() throws {
        guard let group, !topics.isEmpty, group.needsRejoin else { return }
        let owned = assignment
        if !group.cooperative && !owned.isEmpty {
            // Eager protocol: give everything up before joining.
            onRevoked?(owned)
            positions = [:]
        }
        var assigned = try group.joinAndSync(topics: topics, owned: assignment)
        if group.cooperative {
            let revoked = Set(assignment).subtracting(assigned)
            if !revoked.isEmpty {
                // KIP-429: release what moved, then rejoin so it can be handed on.
                let list = revoked.sorted()
                onRevoked?(list)
                for tp in list {
                    positions[tp] = nil
                    highWatermarks[tp] = nil
                    emptyFetchAt[tp] = nil
                }
                group.requestRejoin()
                assigned = try group.joinAndSync(topics: topics, owned: assignment)
            }
        }
        let added = assigned.filter { positions[$0] == nil }
        try resolveStart(added, useCommitted: true)
        for tp in Set(assignment).subtracting(assigned) {
            positions[tp] = nil
            highWatermarks[tp] = nil
            emptyFetchAt[tp] = nil
        }
        if !added.isEmpty { onAssigned?(added) }
    }

    /// A fetch written to a broker whose response has not been read yet.
    struct PendingFetch {
        let node: Int32
        let conn: BrokerConnection
        let ticket: PendingResponse<FetchRequest>
        /// The offsets asked for; a response is used only if the position is unchanged.
        let asked: [TopicPartition: Int64]
        let waitMs: Int32
    }

    var pendingFetches: [PendingFetch] = []
    /// The positions a fetch last asked the broker to answer at once
    /// (`ConsumerOptions.waitsAtEnd` off), so it is asked once per set.
    var quickEndFetchAt: [TopicPartition: Int64]?

    /// Returns the next decoded batches from every assigned partition's
    /// leader, waiting up to `timeoutMs` when there is no data. Requests to
    /// different brokers are in flight together, and (with `prefetch`) the
    /// next fetch is sent before returning so the broker works while the
    /// caller processes this one.
    public func poll(timeoutMs: Int) throws -> [ConsumedRecordBatch] {
        try pollFetched(timeoutMs: timeoutMs).map { try $0.decode() }
    }

    /// `poll` without the decoding: the batches as fetched, framed and their
    /// headers read, positions already past them. The caller checks and
    /// decodes each (`FetchedRecordBatch.decode`) on whatever threads it
    /// likes, in whatever order; a batch that fails is the caller's to report
    /// (its error names topic, partition and offset), as `poll` would have.
    public func pollFetched(timeoutMs: Int) throws -> [FetchedRecordBatch] {
        if closed { throw KafkaError.closed }
        try maintainGroup()
        if positions.isEmpty {
            usleep(UInt32(min(timeoutMs, 100) * 1000))
            return []
        }
        let wait = Int32(max(0, min(timeoutMs, Int(options.maxWaitMs))))
        if pendingFetches.isEmpty { try sendFetches(waitMs: wait) }
        let out = try collectFetches()
        if options.prefetch && !positions.isEmpty { try sendFetches(waitMs: wait) }
        return out
    }

    /// Writes one Fetch per leader for the current positions.
    func sendFetches(waitMs: Int32) throws {
        var byLeader: [Int32: [TopicPartition]] = [:]
        var needRefresh = Set<String>()
        for tp in positions.keys {
            let l = cluster.leader(tp)
            if l < 0 { needRefresh.insert(tp.topic) } else { byLeader[l, default: []].append(tp) }
        }
        if !needRefresh.isEmpty {
            try cluster.refresh(topics: Array(needRefresh))
            return
        }
        // Every partition at its (last known) end: nothing to wait for unless
        // the caller follows the topic, so ask for a quick answer, once per
        // set of positions. Not per leader: a drained partition whose leader
        // answers at once must not spin while another leader's partitions
        // still have records on the way. 1 ms, not 0: Tansu answers a fetch
        // with no wait at all without any partition, which confirms nothing;
        // a broker that still leaves them out gets the normal wait next time.
        let atEnd = positions.allSatisfy { tp, pos in highWatermarks[tp].map { pos >= $0 } ?? false }
        var waitMs = waitMs
        if atEnd && !options.waitsAtEnd && quickEndFetchAt != positions {
            quickEndFetchAt = positions
            waitMs = min(waitMs, 1)
        }
        for (node, tps) in byLeader {
            let grouped = Dictionary(grouping: tps, by: \.topic)
            var asked: [TopicPartition: Int64] = [:]
            let req = FetchRequest(maxWaitMs: waitMs, minBytes: options.minBytes, maxBytes: options.maxBytes,
                                   topics: grouped.map { t in (t.key, t.value.map { tp in
                                       asked[tp] = positions[tp]!
                                       return .init(partition: tp.partition, fetchOffset: positions[tp]!, maxBytes: options.partitionMaxBytes)
                                   }) })
            do {
                let conn = try cluster.connection(to: node)
                pendingFetches.append(PendingFetch(node: node, conn: conn, ticket: try conn.send(req), asked: asked, waitMs: waitMs))
            } catch {
                for t in grouped.keys { cluster.invalidate(t) }
            }
        }
    }

    /// Reads every pending fetch response and decodes the partitions whose
    /// position did not move meanwhile (seek, rebalance).
    func collectFetches() throws -> [FetchedRecordBatch] {
        let fetches = pendingFetches
        pendingFetches = []
        var out: [FetchedRecordBatch] = []
        var resetEarliest: [TopicPartition] = []
        var resetLatest: [TopicPartition] = []
        for f in fetches {
            let body: [UInt8]
            let resp: FetchResponse
            do {
                body = try f.conn.waitRaw(f.ticket.correlationId, timeoutMs: cluster.config.requestTimeoutMs + Int(f.waitMs))
                resp = try body.withUnsafeBytes { try FetchRequest.decodeResponse($0, version: f.ticket.version, from: 4) }
            } catch let e as KafkaError where e.isRetriable {
                for tp in f.asked.keys { cluster.invalidate(tp.topic) }
                continue
            }
            if resp.errorCode != .none {
                throw KafkaError.broker(code: resp.errorCode, context: "fetch from broker \(f.node)")
            }
            for p in resp.partitions {
                let tp = TopicPartition(p.topic, p.partition)
                guard let from = f.asked[tp], positions[tp] == from else { continue }
                switch p.errorCode {
                case .none:
                    highWatermarks[tp] = p.highWatermark
                    let batches = try RecordBatchDecoder.split(body, range: p.records, topic: p.topic, partition: p.partition,
                                                               fromOffset: from, highWatermark: p.highWatermark)
                    if let last = batches.last { positions[tp] = last.nextOffset }
                    KafkaRequestMetrics.lag(topic: p.topic, partition: p.partition, records: p.highWatermark - (positions[tp] ?? from))
                    let records = batches.contains { $0.recordCount > 0 }
                    emptyFetchAt[tp] = !records && positions[tp] == from ? from : nil
                    out.append(contentsOf: batches.filter { $0.recordCount > 0 })
                case .offsetOutOfRange:
                    if options.startPosition == .earliest { resetEarliest.append(tp) } else { resetLatest.append(tp) }
                default:
                    if p.errorCode.isRetriable || p.errorCode.needsMetadataRefresh {
                        cluster.invalidate(p.topic)
                        _ = try? cluster.refresh(topics: [p.topic])
                    } else {
                        throw KafkaError.broker(code: p.errorCode, context: "fetch \(tp) offset \(from) from broker \(f.node)")
                    }
                }
            }
        }
        if !resetEarliest.isEmpty {
            for (tp, off) in try cluster.listOffsets(resetEarliest, timestamp: ListOffsetsRequest.earliest) { positions[tp] = off }
        }
        if !resetLatest.isEmpty {
            for (tp, off) in try cluster.listOffsets(resetLatest, timestamp: ListOffsetsRequest.latest) { positions[tp] = off }
        }
        return out
    }

    /// Commits offsets (the next offset to read) with metadata strings.
    public func commit(offsets: [TopicPartition: CommittedOffset]) throws {
        guard let group else { throw KafkaError.config("commit needs a consumer group (subscribe or assign with group)") }
        try group.commit(offsets)
    }

    /// Commits the current positions of every assigned partition.
    public func commitPositions(metadata: String? = nil) throws {
        try commit(offsets: positions.mapValues { CommittedOffset(offset: $0, metadata: metadata) })
    }

    public func committed(_ partitions: [TopicPartition]) throws -> [TopicPartition: CommittedOffset] {
        guard let group else { throw KafkaError.config("committed offsets need a consumer group") }
        return try group.committed(partitions)
    }

    /// Earliest / latest offsets, e.g. to know where a bounded read ends.
    public func listOffsets(_ partitions: [TopicPartition], _ position: StartPosition) throws -> [TopicPartition: Int64] {
        try cluster.listOffsets(partitions, timestamp: position == .earliest ? ListOffsetsRequest.earliest : ListOffsetsRequest.latest)
    }

    /// Revokes (callback), leaves the group, and closes connections.
    public func close() {
        guard !closed else { return }
        closed = true
        if let group {
            if !topics.isEmpty && !positions.isEmpty { onRevoked?(assignment) }
            group.leave()
        }
        positions = [:]
        pendingFetches = []
        cluster.close()
    }
}
