import Foundation

/// An asynchronous, batching, idempotent Kafka producer.
///
/// `send` only appends the record to its partition's open batch (blocking
/// when `bufferBytes` are buffered). A sender thread seals batches when
/// full or lingered, groups them per leader broker into Produce requests,
/// pipelines up to `maxInFlight` requests per connection, retries retriable
/// errors with backoff + jitter (refreshing metadata on leader changes), and
/// accounts every record as acked or failed. Thread-safe; call `close()`
/// when done (it flushes and stops the sender thread).
public final class KafkaProducer: @unchecked Sendable {
    public let cluster: Cluster
    public let options: ProducerOptions
    let cond = NSCondition()
    var queues: [TopicPartition: PartitionQueue] = [:]
    var stickyPartition: [String: Int32] = [:]
    var partitionCounts: [String: (count: Int, at: Int64)] = [:]
    var bufferedBytes = 0
    var stats = DeliveryStats()
    var closing = false
    var flushRequested = 0
    let idempotence: IdempotentProducerState?
    var sender: Thread?
    let senderDone = DispatchSemaphore(value: 0)

    /// Connects, and with idempotence obtains a producer id (InitProducerId).
    public init(config: KafkaConfig, options: ProducerOptions = ProducerOptions()) throws {
        self.cluster = Cluster(config: config)
        self.options = options
        if options.compression.minimumProduceVersion > 0 {
            try Self.checkProduceVersion(cluster.anyConnection(), options.compression)
        }
        if options.idempotent {
            if options.acks != -1 { throw KafkaError.config("idempotent producer requires acks=all (-1)") }
            idempotence = try IdempotentProducerState(cluster: cluster, options: options)
        } else {
            idempotence = nil
        }
        // The sender holds the producer until `close()` stops it.
        let t = Thread { self.runSender() }
        t.name = "kafka-producer"
        sender = t
        t.start()
    }

    /// Fails (one line, naming the broker) when a connection's Produce version
    /// is too old for the codec, instead of letting the broker reject every batch.
    static func checkProduceVersion(_ conn: BrokerConnection, _ compression: RecordCompression) throws {
        let version = try conn.version(for: ProduceRequest.self)
        if version < compression.minimumProduceVersion {
            throw KafkaError.config("\(compression) compression needs Produce v\(compression.minimumProduceVersion) (Kafka 2.1 or later); "
                                    + "broker \(conn.address) supports Produce up to v\(version)")
        }
    }

    public func send(topic: String, key: [UInt8]? = nil, value: [UInt8]?, headers: [RecordHeader] = [],
                     timestamp: Int64? = nil) throws {
        try send(ProducerRecord(topic: topic, key: key, value: value, headers: headers, timestamp: timestamp))
    }

    /// Appends a record to its partition's batch. Blocks while the buffer is
    /// full; throws if the producer is closed.
    public func send(_ record: ProducerRecord) throws {
        try RecordBatchBuilder.withOptionalBytes(record.key) { k in
            try RecordBatchBuilder.withOptionalBytes(record.value) { v in
                try send(topic: record.topic, keyBytes: k, valueBytes: v, headers: record.headers,
                         timestamp: record.timestamp, partition: record.partition)
            }
        }
    }

    /// The allocation-free form of `send`: key and value are copied straight
    /// from the caller's buffers into the partition's open batch.
    public func send(topic: String, keyBytes: UnsafeRawBufferPointer?, valueBytes: UnsafeRawBufferPointer?,
                     headers: [RecordHeader] = [], timestamp: Int64? = nil, partition explicit: Int32? = nil) throws {
        let count = try partitionCount(topic)
        var size = (keyBytes?.count ?? 0) + (valueBytes?.count ?? 0) + 16
        for h in headers { size += h.key.utf8.count + (h.value?.count ?? 0) + 4 }
        let ts = timestamp ?? Clock.wallMs()
        cond.lock()
        defer { cond.unlock() }
        while bufferedBytes + size > options.bufferBytes && bufferedBytes > 0 && !closing {
            cond.wait()
        }
        if closing { throw KafkaError.closed }
        let partition: Int32
        if let p = explicit {
            guard p >= 0 && Int(p) < count else {
                throw KafkaError.config("partition \(p) out of range for topic \(topic) with \(count) partitions")
            }
            partition = p
        } else if let key = keyBytes {
            partition = Partitioner.partition(forKey: key, partitions: count)
        } else if let sticky = stickyPartition[topic] {
            partition = sticky
        } else {
            partition = Int32.random(in: 0..<Int32(count))
            stickyPartition[topic] = partition
        }
        let tp = TopicPartition(topic, partition)
        let index = stats.sent
        // Mutated in place through the dictionary's modify accessor: no copy of the batch.
        let full = Self.appendRecord(&queues[tp, default: PartitionQueue()], keyBytes, valueBytes, headers, ts, index, size,
                                     batchBytes: options.batchBytes)
        stats.sent += 1
        bufferedBytes += size
        if full { cond.broadcast() }
    }

    static func appendRecord(_ q: inout PartitionQueue, _ key: UnsafeRawBufferPointer?, _ value: UnsafeRawBufferPointer?,
                             _ headers: [RecordHeader], _ ts: Int64, _ index: Int, _ size: Int, batchBytes: Int) -> Bool {
        if q.builder.recordCount == 0 { q.openedMs = Clock.monoMs() }
        q.builder.append(keyBytes: key, valueBytes: value, headers: headers, timestamp: ts)
        q.sendIndexes.append(index)
        q.pendingBytes += size
        return q.builder.sizeInBytes >= batchBytes
    }

    /// Partition count from a per-producer cache (refreshed with the metadata age).
    func partitionCount(_ topic: String) throws -> Int {
        let now = Clock.monoMs()
        cond.lock()
        if let c = partitionCounts[topic], now - c.at < Int64(cluster.config.metadataMaxAgeMs) {
            cond.unlock()
            return c.count
        }
        cond.unlock()
        let n = try cluster.partitionCount(topic, allowAutoCreate: options.allowAutoTopicCreation)
        cond.lock()
        partitionCounts[topic] = (n, now)
        cond.unlock()
        return n
    }

    /// Blocks until every record sent so far is acked or failed.
    public func flush(timeoutMs: Int? = nil) throws {
        let deadline = timeoutMs.map { Date().addingTimeInterval(Double($0) / 1000) }
        cond.lock()
        defer { cond.unlock() }
        flushRequested += 1
        defer { flushRequested -= 1 }
        cond.broadcast()
        while stats.pending > 0 {
            if let d = deadline {
                if !cond.wait(until: d) {
                    throw KafkaError.timeout("flush: \(stats.pending) records still pending")
                }
            } else {
                cond.wait()
            }
        }
    }

    /// Flushes, stops the sender thread and closes connections.
    public func close() {
        try? flush(timeoutMs: options.deliveryTimeoutMs)
        cond.lock()
        let wasClosing = closing
        closing = true
        cond.broadcast()
        cond.unlock()
        if !wasClosing {
            senderDone.wait()
            cluster.close()
        }
    }

    /// A snapshot of delivery accounting.
    public var deliveryStats: DeliveryStats {
        cond.lock()
        defer { cond.unlock() }
        return stats
    }

    // MARK: - Sender thread

    struct InFlightRequest {
        let conn: BrokerConnection
        let ticket: PendingResponse<ProduceRequest>
        let batches: [ProducerBatch]
    }

    func runSender() {
        var inFlight: [Int32: [InFlightRequest]] = [:]
        while true {
            let hasInFlight = inFlight.values.contains { !$0.isEmpty }
            if let idempotence, idempotence.bumpReason != nil, !hasInFlight { bumpEpoch(idempotence) }
            let (sendable, done) = collectSendable(hasInFlight: hasInFlight, holdReady: idempotence?.bumpReason != nil)
            if done && inFlight.values.allSatisfy(\.isEmpty) { break }
            dispatch(sendable, &inFlight)
            // Read the oldest response of each connection that has any.
            for node in Array(inFlight.keys) {
                guard var list = inFlight[node], !list.isEmpty else { continue }
                let req = list.removeFirst()
                inFlight[node] = list
                handleResponse(req, node: node, &inFlight)
            }
        }
        senderDone.signal()
    }

    /// A batch detached from its partition queue, waiting to be encoded.
    struct SealJob {
        let tp: TopicPartition
        let builder: RecordBatchBuilder
        let sendIndexes: [Int]
        let bytes: Int
        let baseSequence: Int32
        let openedMs: Int64
    }

    /// Seals due batches and takes the sendable ones, waiting when there is
    /// nothing to do. Returns done=true once closing and fully drained.
    /// Encoding and compression run outside the lock, so `send` callers keep
    /// filling new batches meanwhile (the two sides use two cores).
    /// `holdReady` (an epoch bump is pending) seals but sends nothing.
    func collectSendable(hasInFlight: Bool, holdReady: Bool = false) -> ([ProducerBatch], Bool) {
        while true {
            // 1. Detach the batches that are full, lingered long enough, or flushed.
            var jobs: [SealJob] = []
            cond.lock()
            var now = Clock.monoMs()
            var nextWake: Int64 = now + 100
            let draining = closing || flushRequested > 0
            for tp in Array(queues.keys) {
                guard let q = queues[tp], q.builder.recordCount > 0 else { continue }
                let due = q.openedMs + Int64(options.lingerMs)
                if draining || now >= due || q.builder.sizeInBytes >= options.batchBytes {
                    jobs.append(detach(&queues[tp]!, tp))
                } else {
                    nextWake = min(nextWake, due)
                }
            }
            cond.unlock()

            // 2. Encode and compress without holding the lock.
            let built = jobs.map { job -> (SealJob, Result<[UInt8], Error>) in
                (job, Result {
                    try job.builder.build(compression: options.compression, level: options.compressionLevel,
                                          producerId: idempotence?.producerId ?? -1, producerEpoch: idempotence?.producerEpoch ?? -1,
                                          baseSequence: job.baseSequence)
                })
            }

            // 3. Queue the encoded batches and take what may be sent now.
            cond.lock()
            for (job, result) in built {
                switch result {
                case .success(let encoded):
                    queues[job.tp]!.ready.append(ProducerBatch(tp: job.tp, encoded: encoded, recordCount: job.sendIndexes.count,
                                                               byteSize: job.bytes, sendIndexes: job.sendIndexes,
                                                               baseSequence: job.baseSequence, createdMs: job.openedMs))
                case .failure(let error):
                    fail(job.sendIndexes, job.tp, "\(error)")
                    bufferedBytes -= job.bytes
                    cond.broadcast()
                }
            }
            now = Clock.monoMs()
            var out: [ProducerBatch] = []
            for tp in Array(queues.keys) where !holdReady {
                // In-flight bound per partition, and retry backoff.
                while let b = queues[tp]!.ready.first, queues[tp]!.inFlight < options.maxInFlight {
                    if b.retryAtMs > now { nextWake = min(nextWake, b.retryAtMs); break }
                    queues[tp]!.ready.removeFirst()
                    queues[tp]!.inFlight += 1
                    out.append(b)
                }
            }
            if !out.isEmpty || hasInFlight || holdReady { cond.unlock(); return (out, false) }
            if closing && stats.pending == 0 { cond.unlock(); return ([], true) }
            if jobs.isEmpty {
                let waitMs = max(1, nextWake - now)
                _ = cond.wait(until: Date().addingTimeInterval(Double(waitMs) / 1000))
            }
            cond.unlock()
        }
    }

    /// Takes the partition's open batch and assigns its sequence numbers
    /// (caller holds the lock).
    func detach(_ q: inout PartitionQueue, _ tp: TopicPartition) -> SealJob {
        let seq = idempotence?.assignSequence(tp, recordCount: q.sendIndexes.count) ?? -1
        let job = SealJob(tp: tp, builder: q.builder, sendIndexes: q.sendIndexes, bytes: q.pendingBytes,
                          baseSequence: seq, openedMs: q.openedMs)
        q.builder = RecordBatchBuilder()
        q.sendIndexes = []
        q.pendingBytes = 0
        // KIP-480 sticky partitioning: a keyless topic moves on after each batch.
        if let sticky = stickyPartition[tp.topic], sticky == tp.partition,
           let count = partitionCounts[tp.topic]?.count, count > 1 {
            var next = Int32.random(in: 0..<Int32(count - 1))
            if next >= sticky { next += 1 }
            stickyPartition[tp.topic] = next
        }
        return job
    }

    /// Groups batches by leader and writes one Produce request per broker
    /// (one batch per partition per request).
    func dispatch(_ batches: [ProducerBatch], _ inFlight: inout [Int32: [InFlightRequest]]) {
        guard !batches.isEmpty else { return }
        var byNode: [Int32: [ProducerBatch]] = [:]
        var refreshed = Set<String>()
        for b in batches {
            var leader = cluster.leader(b.tp)
            if leader < 0 && !refreshed.contains(b.tp.topic) {
                refreshed.insert(b.tp.topic)
                _ = try? cluster.refresh(topics: [b.tp.topic])
                leader = cluster.leader(b.tp)
            }
            if leader < 0 {
                retry(b, KafkaError.broker(code: .leaderNotAvailable, context: "\(b.tp)"))
                continue
            }
            byNode[leader, default: []].append(b)
        }
        for (node, list) in byNode {
            var remaining = list
            while !remaining.isEmpty {
                var seen = Set<TopicPartition>()
                var thisRequest: [ProducerBatch] = []
                var rest: [ProducerBatch] = []
                for b in remaining {
                    if seen.insert(b.tp).inserted { thisRequest.append(b) } else { rest.append(b) }
                }
                remaining = rest
                send(thisRequest, to: node, &inFlight)
            }
        }
    }

    func send(_ batches: [ProducerBatch], to node: Int32, _ inFlight: inout [Int32: [InFlightRequest]]) {
        let grouped = Dictionary(grouping: batches, by: \.tp.topic)
        let req = ProduceRequest(acks: options.acks, timeoutMs: options.requestTimeoutMs,
                                 topics: grouped.map { ($0.key, $0.value.map { .init(partition: $0.tp.partition, records: $0.encoded) }) })
        // Bound the pipeline: wait for the oldest response before exceeding maxInFlight.
        while (inFlight[node]?.count ?? 0) >= options.maxInFlight, var list = inFlight[node] {
            let oldest = list.removeFirst()
            inFlight[node] = list
            handleResponse(oldest, node: node, &inFlight)
        }
        do {
            let conn = try cluster.connection(to: node)
            if options.compression.minimumProduceVersion > 0 {
                // Every leader, not only the bootstrap broker, must take the codec.
                do { try Self.checkProduceVersion(conn, options.compression) } catch {
                    for b in batches { complete(b, error: error) }
                    return
                }
            }
            if options.acks == 0 {
                try conn.sendOneWay(req)
                for b in batches { complete(b, error: nil) }
                return
            }
            let ticket = try conn.send(req)
            inFlight[node, default: []].append(InFlightRequest(conn: conn, ticket: ticket, batches: batches))
        } catch {
            cluster.invalidate(batches[0].tp.topic)
            for b in batches { retry(b, error) }
        }
    }

    func handleResponse(_ req: InFlightRequest, node: Int32, _ inFlight: inout [Int32: [InFlightRequest]]) {
        let resp: ProduceResponse
        do {
            resp = try req.conn.wait(req.ticket)
        } catch {
            // The connection is gone: every request on it is lost; retry them all in order.
            let rest = inFlight[node] ?? []
            inFlight[node] = []
            for b in req.batches + rest.flatMap(\.batches) {
                cluster.invalidate(b.tp.topic)
                retry(b, error)
            }
            return
        }
        var byTP: [TopicPartition: ProducePartitionResult] = [:]
        for r in resp.results { byTP[TopicPartition(r.topic, r.partition)] = r }
        for b in req.batches {
            guard let r = byTP[b.tp] else {
                retry(b, KafkaError.decode("broker \(node): produce response lacks \(b.tp)"))
                continue
            }
            if r.errorCode == .none || r.errorCode == .duplicateSequenceNumber {
                complete(b, error: nil)
            } else {
                let err = KafkaError.broker(code: r.errorCode, context: "produce to \(b.tp) on broker \(node)"
                                            + (r.errorMessage.map { ": \($0)" } ?? ""))
                if r.errorCode.needsMetadataRefresh { cluster.invalidate(b.tp.topic) }
                if let idempotence, idempotence.brokerLostState(r.errorCode, b) {
                    idempotence.requestBump(reason: "\(r.errorCode) from \(b.tp) on broker \(node)")
                    retry(b, err)
                } else if r.errorCode.isRetriable || r.errorCode == .outOfOrderSequenceNumber {
                    // Out of order behind an earlier batch of the partition that
                    // failed: it follows once that one is resent.
                    retry(b, err)
                } else {
                    complete(b, error: err)
                }
            }
        }
    }

    /// Bumps the epoch with nothing in flight and every queued batch
    /// renumbered; if no producer id can be had, the queued batches fail.
    func bumpEpoch(_ idempotence: IdempotentProducerState) {
        let reason = idempotence.bumpReason ?? ""
        // Only the sender thread changes the ready queues, so this snapshot stays true.
        cond.lock()
        let queued = queues.mapValues(\.ready)
        cond.unlock()
        do {
            try idempotence.bumpEpoch(renumbering: queued)
        } catch {
            cond.lock()
            for tp in Array(queues.keys) {
                let ready = queues[tp]!.ready
                queues[tp]!.ready = []
                for b in ready {
                    bufferedBytes -= b.byteSize
                    fail(b.sendIndexes, tp, "re-initialising the idempotent producer after \(reason) failed: \(error)")
                }
            }
            cond.broadcast()
            cond.unlock()
        }
    }

    /// Puts a batch back in its partition's queue (ordered by sequence) after
    /// a backoff, or fails it when out of retries or past the delivery timeout.
    func retry(_ b: ProducerBatch, _ error: Error) {
        b.attempts += 1
        let now = Clock.monoMs()
        if b.attempts > options.retries || now - b.createdMs > Int64(options.deliveryTimeoutMs) {
            complete(b, error: error)
            return
        }
        if case .broker(let code, _)? = error as? KafkaError, code.needsMetadataRefresh {
            _ = try? cluster.refresh(topics: [b.tp.topic])
        }
        b.retryAtMs = now + Clock.backoff(attempt: b.attempts, baseMs: options.retryBackoffMs, maxMs: options.retryBackoffMaxMs)
        cond.lock()
        defer { cond.unlock() }
        var q = queues[b.tp] ?? PartitionQueue()
        q.inFlight -= 1
        let idx = q.ready.firstIndex { $0.baseSequence > b.baseSequence } ?? q.ready.endIndex
        q.ready.insert(b, at: idx)
        queues[b.tp] = q
    }

    func complete(_ b: ProducerBatch, error: Error?) {
        cond.lock()
        defer { cond.unlock() }
        queues[b.tp]?.inFlight -= 1
        idempotence?.resolved(b)
        bufferedBytes -= b.byteSize
        if let error {
            fail(b.sendIndexes, b.tp, "\(error)")
        } else {
            stats.acked += b.recordCount
        }
        cond.broadcast()
    }

    /// Records failures (caller holds the lock).
    func fail(_ indexes: [Int], _ tp: TopicPartition, _ message: String) {
        stats.failed += indexes.count
        for i in indexes where stats.failures.count < 1000 {
            stats.failures.append(DeliveryFailure(sendIndex: i, topic: tp.topic, partition: tp.partition, error: message))
        }
    }
}
