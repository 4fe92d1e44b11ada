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
    let accumulator: RecordAccumulator
    let idempotence: IdempotentProducerState?
    /// Sender thread only.
    var inFlight: [Int32: [InFlightRequest]] = [:]
    var partitions: [TopicPartition: PartitionQueue] = [:]
    var sender: Thread?
    let senderDone = DispatchSemaphore(value: 0)

    /// Connects, and with idempotence obtains a producer id (InitProducerId).
    public init(config: KafkaConfig, options: ProducerOptions = ProducerOptions()) throws {
        let cluster = Cluster(config: config)
        self.cluster = cluster
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
        accumulator = RecordAccumulator(options: options, metadataMaxAgeMs: config.metadataMaxAgeMs) {
            try cluster.partitionCount($0, allowAutoCreate: options.allowAutoTopicCreation)
        }
        // The sender holds the producer until `close()` stops it.
        let t = Thread { self.runSender() }
        t.name = "kafka-producer"
        sender = t
        t.start()
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
        try accumulator.append(topic: topic, keyBytes: keyBytes, valueBytes: valueBytes, headers: headers,
                               timestamp: timestamp, partition: explicit)
    }

    /// Blocks until every record sent so far is acked or failed.
    public func flush(timeoutMs: Int? = nil) throws {
        try accumulator.flush(until: timeoutMs.map { Date().addingTimeInterval(Double($0) / 1000) })
    }

    /// Flushes, stops the sender thread and closes connections.
    public func close() {
        try? flush(timeoutMs: options.deliveryTimeoutMs)
        if accumulator.close() {
            senderDone.wait()
            cluster.close()
        }
    }

    /// A snapshot of delivery accounting.
    public var deliveryStats: DeliveryStats { accumulator.deliveryStats }

    /// A partition's encoded batches waiting to be sent (retries go back in
    /// sequence order), and how many of its batches are in flight.
    struct PartitionQueue {
        var ready: [ProducerBatch] = []
        var inFlight = 0

        mutating func requeue(_ b: ProducerBatch) {
            inFlight -= 1
            let idx = ready.firstIndex { $0.baseSequence > b.baseSequence } ?? ready.endIndex
            ready.insert(b, at: idx)
        }
    }

    struct InFlightRequest {
        let conn: BrokerConnection
        let ticket: PendingResponse<ProduceRequest>
        let batches: [ProducerBatch]
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

    // MARK: - Sender thread

    func runSender() {
        while true {
            let hasInFlight = inFlight.values.contains { !$0.isEmpty }
            if let idempotence, idempotence.bumpReason != nil, !hasInFlight { bumpEpoch(idempotence) }
            let (sendable, done) = collectSendable(hasInFlight: hasInFlight, holdReady: idempotence?.bumpReason != nil)
            if done && inFlight.values.allSatisfy(\.isEmpty) { break }
            dispatch(sendable)
            // Read the oldest response of each connection that has any.
            for node in Array(inFlight.keys) {
                guard var list = inFlight[node], !list.isEmpty else { continue }
                let req = list.removeFirst()
                inFlight[node] = list
                handleResponse(req, node: node)
            }
        }
        senderDone.signal()
    }

    /// Seals due batches and takes the sendable ones, waiting when there is
    /// nothing to do. Returns done=true once closing and fully drained.
    /// Encoding and compression run outside the accumulator's lock, so `send`
    /// callers keep filling new batches meanwhile (the two sides use two cores).
    /// `holdReady` (an epoch bump is pending) seals but sends nothing.
    func collectSendable(hasInFlight: Bool, holdReady: Bool) -> ([ProducerBatch], Bool) {
        while true {
            let (sealed, nextDue) = accumulator.sealDueBatches()
            var nextWake = nextDue
            for s in sealed {
                let seq = idempotence?.assignSequence(s.tp, recordCount: s.sendIndexes.count) ?? -1
                do {
                    let encoded = try s.builder.build(compression: options.compression, level: options.compressionLevel,
                                                      producerId: idempotence?.producerId ?? -1,
                                                      producerEpoch: idempotence?.producerEpoch ?? -1, baseSequence: seq)
                    partitions[s.tp, default: PartitionQueue()].ready.append(
                        ProducerBatch(tp: s.tp, encoded: encoded, recordCount: s.sendIndexes.count, byteSize: s.bytes,
                                      sendIndexes: s.sendIndexes, baseSequence: seq, createdMs: s.openedMs))
                } catch {
                    accumulator.settle(s, failure: "\(error)")
                }
            }
            let now = Clock.monoMs()
            var out: [ProducerBatch] = []
            for tp in Array(partitions.keys) where !holdReady {
                // In-flight bound per partition, and retry backoff.
                while let b = partitions[tp]!.ready.first, partitions[tp]!.inFlight < options.maxInFlight {
                    if b.retryAtMs > now { nextWake = min(nextWake, b.retryAtMs); break }
                    partitions[tp]!.ready.removeFirst()
                    partitions[tp]!.inFlight += 1
                    out.append(b)
                }
            }
            if !out.isEmpty || hasInFlight || holdReady { return (out, false) }
            // After sealing, look again before sleeping: encoding took time, and more may be due.
            if accumulator.drainedAfterClose(elseWaitMs: sealed.isEmpty ? max(1, nextWake - now) : nil) { return ([], true) }
        }
    }

    /// Groups batches by leader and writes one Produce request per broker
    /// (one batch per partition per request).
    func dispatch(_ batches: [ProducerBatch]) {
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
                produce(thisRequest, to: node)
            }
        }
    }

    func produce(_ batches: [ProducerBatch], to node: Int32) {
        let grouped = Dictionary(grouping: batches, by: \.tp.topic)
        let req = ProduceRequest(acks: options.acks, timeoutMs: options.requestTimeoutMs,
                                 topics: grouped.map { ($0.key, $0.value.map { .init(partition: $0.tp.partition, records: $0.encoded) }) })
        // Bound the pipeline: wait for the oldest response before exceeding maxInFlight.
        while (inFlight[node]?.count ?? 0) >= options.maxInFlight, var list = inFlight[node] {
            let oldest = list.removeFirst()
            inFlight[node] = list
            handleResponse(oldest, node: node)
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

    func handleResponse(_ req: InFlightRequest, node: Int32) {
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
        do {
            try idempotence.bumpEpoch(renumbering: partitions.mapValues(\.ready))
        } catch {
            var failed: [ProducerBatch] = []
            for tp in Array(partitions.keys) {
                failed += partitions[tp]!.ready
                partitions[tp]!.ready = []
            }
            accumulator.settle(failed, failure: "re-initialising the idempotent producer after \(reason) failed: \(error)")
        }
    }

    /// Puts a batch back in its partition's queue (ordered by sequence) after
    /// a backoff, or fails it when out of retries or past the delivery timeout.
    func retry(_ b: ProducerBatch, _ error: Error) {
        b.countAttempt()
        let now = Clock.monoMs()
        if b.attempts > options.retries || now - b.createdMs > Int64(options.deliveryTimeoutMs) {
            complete(b, error: error)
            return
        }
        if case .broker(let code, _)? = error as? KafkaError, code.needsMetadataRefresh {
            _ = try? cluster.refresh(topics: [b.tp.topic])
        }
        b.holdBack(untilMs: now + Clock.backoff(attempt: b.attempts, baseMs: options.retryBackoffMs, maxMs: options.retryBackoffMaxMs))
        partitions[b.tp, default: PartitionQueue()].requeue(b)
    }

    func complete(_ b: ProducerBatch, error: Error?) {
        partitions[b.tp]?.inFlight -= 1
        idempotence?.resolved(b)
        accumulator.settle([b], failure: error.map { "\($0)" })
    }
}
