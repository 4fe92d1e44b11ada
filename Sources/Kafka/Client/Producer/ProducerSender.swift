import Foundation

/// The producer's sender thread: takes sealed batches from the accumulator,
/// numbers and encodes them, writes one Produce request per leader broker
/// (pipelining up to `maxInFlight` per connection and per partition), and
/// settles every batch as acked or failed. Retriable errors are retried
/// with backoff and jitter, refreshing metadata when leadership moved; a
/// broker that lost the idempotent producer's state gets an epoch bump.
///
/// Handed to its thread once and used by it alone, so nothing here is
/// locked; the accumulator is where it meets the callers of `send`.
final class ProducerSender: @unchecked Sendable {
    private let cluster: Cluster
    private let options: ProducerOptions
    private let accumulator: RecordAccumulator
    /// nil without idempotence: batches carry no producer id or sequence.
    private let idempotence: IdempotentProducerState?
    private var partitions: [TopicPartition: PartitionQueue] = [:]
    /// Produce requests awaiting their response, oldest first, per broker.
    private var inFlight: [Int32: [InFlightRequest]] = [:]

    /// A partition's encoded batches waiting to be sent (retries go back in
    /// sequence order), and how many of its batches are in flight.
    private struct PartitionQueue {
        var ready: [ProducerBatch] = []
        var inFlight = 0

        mutating func requeue(_ b: ProducerBatch) {
            inFlight -= 1
            let idx = ready.firstIndex { $0.baseSequence > b.baseSequence } ?? ready.endIndex
            ready.insert(b, at: idx)
        }
    }

    private struct InFlightRequest {
        let conn: BrokerConnection
        let ticket: PendingResponse<ProduceRequest>
        let batches: [ProducerBatch]
    }

    init(cluster: Cluster, options: ProducerOptions, accumulator: RecordAccumulator, idempotence: IdempotentProducerState?) {
        self.cluster = cluster
        self.options = options
        self.accumulator = accumulator
        self.idempotence = idempotence
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

    /// Runs until the producer is closed and every record is settled.
    func run() {
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
    }

    /// Seals due batches and takes the sendable ones, waiting when there is
    /// nothing to do. Returns done=true once closing and fully drained.
    /// Encoding and compression run outside the accumulator's lock, so `send`
    /// callers keep filling new batches meanwhile (the two sides use two cores).
    /// `holdReady` (an epoch bump is pending) seals but sends nothing.
    private func collectSendable(hasInFlight: Bool, holdReady: Bool) -> ([ProducerBatch], Bool) {
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
    private func dispatch(_ batches: [ProducerBatch]) {
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

    private func produce(_ batches: [ProducerBatch], to node: Int32) {
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

    private func handleResponse(_ req: InFlightRequest, node: Int32) {
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
    private func bumpEpoch(_ idempotence: IdempotentProducerState) {
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
    private func retry(_ b: ProducerBatch, _ error: Error) {
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

    private func complete(_ b: ProducerBatch, error: Error?) {
        partitions[b.tp]?.inFlight -= 1
        idempotence?.resolved(b)
        accumulator.settle([b], failure: error.map { "\($0)" })
    }
}
