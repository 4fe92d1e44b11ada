import Foundation

/// Consumer group membership (classic protocol): coordinator discovery,
/// JoinGroup/SyncGroup (leader runs the assignor), a heartbeat thread that
/// flags rebalances, offset commit/fetch, and LeaveGroup.
final class GroupMember {
    let groupId: String
    let cluster: Cluster
    let options: ConsumerOptions
    let lock = NSLock()
    var memberId = ""
    var generation: Int32 = -1
    var protocolName = ""
    var coordinator: BrokerConnection?
    var heartbeatConnection: BrokerConnection?
    /// Set by the heartbeat thread (or errors) when the member must rejoin.
    var rejoinNeeded = true
    var stable = false
    var stopped = false
    /// The consumer's `interrupt` check (see `KafkaConsumer.interrupt`).
    var interrupted: () -> Bool = { false }
    var heartbeatThread: Thread?
    let heartbeatStop = DispatchSemaphore(value: 0)

    init(groupId: String, cluster: Cluster, options: ConsumerOptions) {
        self.groupId = groupId
        self.cluster = cluster
        self.options = options
    }

    var cooperative: Bool { options.assignors.allSatisfy(\.isCooperative) }

    var needsRejoin: Bool {
        lock.lock()
        defer { lock.unlock() }
        return rejoinNeeded
    }

    func requestRejoin() {
        lock.lock()
        rejoinNeeded = true
        stable = false
        lock.unlock()
    }

    /// Finds the coordinator and opens two connections: one for group calls
    /// (made from the polling thread) and one for heartbeats.
    func coordinatorConnection() throws -> BrokerConnection {
        if let c = coordinator, !c.isBroken { return c }
        var attempt = 0
        while true {
            let resp = try cluster.anyConnection().request(FindCoordinatorRequest(group: groupId))
            if resp.errorCode == .none {
                let c = try cluster.dedicatedConnection(host: resp.host, port: resp.port)
                let hb = try cluster.dedicatedConnection(host: resp.host, port: resp.port)
                lock.lock()
                let old = (coordinator, heartbeatConnection)
                coordinator = c
                heartbeatConnection = hb
                lock.unlock()
                old.0?.close()
                old.1?.close()
                return c
            }
            attempt += 1
            if !resp.errorCode.isRetriable || attempt > 20 {
                throw KafkaError.broker(code: resp.errorCode, context: "find coordinator for group \(groupId)")
            }
            usleep(UInt32(Clock.backoff(attempt: attempt, baseMs: 100, maxMs: 1000) * 1000))
        }
    }

    /// Runs one JoinGroup + SyncGroup round and returns the new assignment.
    func joinAndSync(topics: [String], owned: [TopicPartition]) throws -> [TopicPartition] {
        lock.lock()
        stable = false
        lock.unlock()
        let subscription = GroupSubscription(topics: topics, ownedPartitions: cooperative ? owned : []).encode()
        var attempt = 0
        var syncRetries = 0
        while true {
            // A rebalance can go round for as long as other members keep
            // joining; a stopping caller must not wait for it to settle.
            if interrupted() { throw KafkaError.interrupted }
            attempt += 1
            let conn = try coordinatorConnection()
            let join: JoinGroupResponse
            do {
                join = try conn.request(JoinGroupRequest(groupId: groupId, sessionTimeoutMs: options.sessionTimeoutMs,
                                                         rebalanceTimeoutMs: options.rebalanceTimeoutMs, memberId: memberId,
                                                         protocols: options.assignors.map { ($0.rawValue, subscription) }),
                                        timeoutMs: Int(options.rebalanceTimeoutMs) + 5_000)
            } catch let e as KafkaError where e.isRetriable && attempt < 10 {
                coordinator?.close()
                continue
            }
            switch join.errorCode {
            case .none: break
            case .memberIdRequired:
                setMembership(memberId: join.memberId)
                continue
            case .unknownMemberId, .illegalGeneration:
                setMembership(memberId: "")
                continue
            case .notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress, .rebalanceInProgress:
                if attempt >= 20 { throw KafkaError.broker(code: join.errorCode, context: "join group \(groupId)") }
                if join.errorCode != .rebalanceInProgress { coordinator?.close() }
                usleep(UInt32(Clock.backoff(attempt: attempt, baseMs: 100, maxMs: 1000) * 1000))
                continue
            default:
                throw KafkaError.broker(code: join.errorCode, context: "join group \(groupId) as member \(memberId)")
            }
            setMembership(memberId: join.memberId, generation: join.generationId)
            protocolName = join.protocolName ?? options.assignors[0].rawValue
            var assignments: [(memberId: String, assignment: [UInt8])] = []
            if join.leader == memberId {
                assignments = try leaderAssign(join)
            }
            let sync = try conn.request(SyncGroupRequest(groupId: groupId, generationId: generation, memberId: memberId,
                                                         protocolName: protocolName, assignments: assignments),
                                        timeoutMs: Int(options.rebalanceTimeoutMs) + 5_000)
            switch sync.errorCode {
            case .none:
                let assignment = try GroupAssignment.decode(sync.assignment)
                lock.lock()
                rejoinNeeded = false
                stable = true
                lock.unlock()
                startHeartbeats()
                return assignment.partitions.sorted()
            case .rebalanceInProgress:
                // A real coordinator holds every JoinGroup until the whole group
                // has rejoined, so members converge on one generation. One that
                // answers each JoinGroup on its own (Tansu) can keep members in
                // lockstep, each one's join ending another's generation before
                // its SyncGroup — `make soak` caught three members cycling like
                // that for minutes. After the first retry, a random pause (full
                // jitter, under half the session timeout) breaks the cycle.
                syncRetries += 1
                if syncRetries > 1 {
                    let capMs = max(200, min(Int(options.sessionTimeoutMs) / 2, 100 << min(syncRetries, 5)))
                    usleep(UInt32(Int.random(in: 0...capMs) * 1000))
                }
                continue
            case .unknownMemberId, .illegalGeneration:
                setMembership(memberId: "")
                continue
            default:
                throw KafkaError.broker(code: sync.errorCode, context: "sync group \(groupId) generation \(generation)")
            }
        }
    }

    /// The heartbeat thread reads `memberId` and `generation` under `lock`, so
    /// every write takes it (ThreadSanitizer caught the unlocked writes: a
    /// String read while it is replaced can read freed storage). The polling
    /// thread, their only writer, reads them without it.
    private func setMembership(memberId: String, generation: Int32? = nil) {
        lock.lock()
        defer { lock.unlock() }
        self.memberId = memberId
        if let generation { self.generation = generation }
    }

    func leaderAssign(_ join: JoinGroupResponse) throws -> [(memberId: String, assignment: [UInt8])] {
        guard let assignor = GroupAssignor(rawValue: protocolName) else {
            throw KafkaError.config("group \(groupId) chose unknown assignor \(protocolName)")
        }
        var subs: [String: GroupSubscription] = [:]
        for m in join.members { subs[m.memberId] = try GroupSubscription.decode(m.metadata) }
        var counts: [String: Int] = [:]
        let topics = Set(subs.values.flatMap(\.topics)).sorted()
        let meta = try cluster.refresh(topics: topics)
        for t in meta.topics where t.errorCode == .none { counts[t.name] = t.partitions.count }
        let plan = assignor.assign(members: subs, partitionCounts: counts)
        return plan.keys.sorted().map { ($0, GroupAssignment(partitions: plan[$0]!).encode()) }
    }

    func startHeartbeats() {
        guard heartbeatThread == nil else { return }
        let t = Thread { [weak self] in self?.heartbeatLoop() }
        t.name = "kafka-heartbeat"
        heartbeatThread = t
        t.start()
    }

    func heartbeatLoop() {
        while true {
            if heartbeatStop.wait(timeout: .now() + .milliseconds(options.heartbeatIntervalMs)) == .success { return }
            lock.lock()
            let (go, gen, member, conn) = (stable && !stopped, generation, memberId, heartbeatConnection)
            lock.unlock()
            guard go, let conn else { continue }
            do {
                let resp = try conn.request(HeartbeatRequest(groupId: groupId, generationId: gen, memberId: member))
                if resp.errorCode != .none { requestRejoin() }
            } catch {
                requestRejoin()
            }
        }
    }

    func commit(_ offsets: [TopicPartition: CommittedOffset]) throws {
        let conn = try coordinatorConnection()
        lock.lock()
        let (gen, member) = (generation, memberId)
        lock.unlock()
        let grouped = Dictionary(grouping: offsets.keys, by: \.topic)
        let req = OffsetCommitRequest(groupId: groupId, generationId: gen, memberId: member,
                                      topics: grouped.map { t in (t.key, t.value.map { ($0.partition, offsets[$0]!.offset, offsets[$0]!.metadata) }) })
        let resp = try conn.request(req)
        for r in resp.results where r.errorCode != .none {
            if r.errorCode == .illegalGeneration || r.errorCode == .unknownMemberId || r.errorCode == .rebalanceInProgress {
                requestRejoin()
            }
            if r.errorCode == .notCoordinator { coordinator?.close() }
            throw KafkaError.broker(code: r.errorCode, context: "commit group \(groupId) \(r.topic)/\(r.partition) offset \(offsets[TopicPartition(r.topic, r.partition)]?.offset ?? -1)")
        }
    }

    func committed(_ partitions: [TopicPartition]) throws -> [TopicPartition: CommittedOffset] {
        let conn = try coordinatorConnection()
        let grouped = Dictionary(grouping: partitions, by: \.topic)
        let resp = try conn.request(OffsetFetchRequest(groupId: groupId, topics: grouped.map { ($0.key, $0.value.map(\.partition)) }))
        if resp.errorCode != .none { throw KafkaError.broker(code: resp.errorCode, context: "offset fetch group \(groupId)") }
        var out: [TopicPartition: CommittedOffset] = [:]
        for r in resp.results {
            if r.errorCode != .none {
                throw KafkaError.broker(code: r.errorCode, context: "offset fetch group \(groupId) \(r.topic)/\(r.partition)")
            }
            if r.offset >= 0 { out[TopicPartition(r.topic, r.partition)] = CommittedOffset(offset: r.offset, metadata: r.metadata) }
        }
        return out
    }

    /// Stops heartbeats and, if joined, leaves the group so partitions move at once.
    func leave() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        stable = false
        lock.unlock()
        if wasStopped { return }
        if heartbeatThread != nil { heartbeatStop.signal() }
        if !memberId.isEmpty, let conn = coordinator, !conn.isBroken {
            _ = try? conn.request(LeaveGroupRequest(groupId: groupId, memberId: memberId))
        }
        lock.lock()
        let conns = (coordinator, heartbeatConnection)
        lock.unlock()
        conns.0?.close()
        conns.1?.close()
    }
}
