import Foundation

/// What an idempotent producer writes under: its producer id and epoch, and
/// the sequence numbers it has given each partition. The broker keeps the
/// last sequence per producer id, epoch and partition, so a resent batch
/// (same id, epoch and sequence) is recognised and not written twice.
///
/// Only the sender thread uses it once `init` has obtained the first id,
/// so nothing here is locked.
final class IdempotentProducerState {
    private let cluster: Cluster
    private let options: ProducerOptions
    private(set) var producerId: Int64 = -1
    private(set) var producerEpoch: Int16 = -1
    private var sequences: [TopicPartition: PartitionSequences] = [:]
    /// Set when the broker lost this producer's state. The sender first
    /// drains what is in flight (those answers still count under the old
    /// epoch), then bumps the epoch and re-sequences.
    private(set) var bumpReason: String?

    private struct PartitionSequences {
        var next: Int32 = 0
        /// Base sequence of the partition's oldest batch not yet acked or failed:
        /// OUT_OF_ORDER_SEQUENCE_NUMBER on that batch cannot be blamed on an
        /// earlier batch, so the broker has lost this producer's state.
        var oldestUnresolved: Int32 = 0
    }

    /// Obtains the first producer id and epoch (InitProducerId).
    init(cluster: Cluster, options: ProducerOptions) throws {
        self.cluster = cluster
        self.options = options
        try initProducerId()
    }

    /// The base sequence of a batch of `recordCount` records being sealed
    /// for `tp`. Called in seal order, so a partition's batches are
    /// numbered in the order they were filled.
    func assignSequence(_ tp: TopicPartition, recordCount: Int) -> Int32 {
        let base = sequences[tp]?.next ?? 0
        sequences[tp, default: PartitionSequences()].next = (base &+ Int32(recordCount)) & Int32.max
        return base
    }

    /// Notes that `b` was acked or failed.
    func resolved(_ b: ProducerBatch) {
        guard let oldest = sequences[b.tp]?.oldestUnresolved, (b.baseSequence &- oldest) & Int32.max < 1 << 30 else { return }
        // Acked or failed, this batch no longer holds the partition's sequence back.
        sequences[b.tp]!.oldestUnresolved = (b.baseSequence &+ Int32(b.recordCount)) & Int32.max
    }

    /// UNKNOWN_PRODUCER_ID: the broker has no state for this producer (it
    /// expired, or the log was truncated or deleted). OUT_OF_ORDER_SEQUENCE
    /// on the partition's oldest unresolved batch: no earlier batch of ours
    /// can explain the gap, so the broker's idea of our sequence is lost.
    /// Resending the same sequence can never succeed in either case.
    func brokerLostState(_ code: ErrorCode, _ b: ProducerBatch) -> Bool {
        if code == .unknownProducerId { return true }
        guard code == .outOfOrderSequenceNumber else { return false }
        return sequences[b.tp]?.oldestUnresolved == b.baseSequence
    }

    /// Asks for an epoch bump; the first reason is the one reported.
    func requestBump(reason: String) {
        bumpReason = bumpReason ?? reason
    }

    /// Recovers an idempotent producer whose state the broker lost (KIP-360,
    /// as the Java client and franz-go do without transactions): with nothing
    /// in flight, get a bumped epoch (or a new producer id), then renumber
    /// every queued batch of every partition from sequence 0, in the order
    /// they were filled, so they can be resent. A new epoch starts every
    /// partition at 0, so all partitions are renumbered, not only the one
    /// that failed.
    ///
    /// Why this is safe: records stay in order within a partition (batches
    /// keep their queue order and nothing is sent until all are renumbered),
    /// and each batch is still acked or failed exactly once (the batches are
    /// rewritten in place, not copied). Delivery is at-least-once across the
    /// bump: a batch the broker had already written but whose answer we lost
    /// is written again under the new epoch, since the broker cannot match it
    /// against the old epoch's sequences. No record is lost.
    ///
    /// Throws when no producer id could be had; the caller then fails the
    /// queued batches, which no longer hold their partitions' sequences back.
    func bumpEpoch(renumbering queued: [TopicPartition: [ProducerBatch]]) throws {
        bumpReason = nil
        do {
            do {
                try initProducerId(bumping: (producerId, producerEpoch))
            } catch KafkaError.broker {
                // A broker that refuses to bump this id still hands out a new one.
                try initProducerId()
            }
        } catch {
            for tp in Array(sequences.keys) { sequences[tp]!.oldestUnresolved = sequences[tp]!.next }
            throw error
        }
        for tp in Array(sequences.keys) { sequences[tp] = PartitionSequences() }
        for (tp, batches) in queued {
            var seq: Int32 = 0
            for b in batches {
                b.restamp(producerId: producerId, producerEpoch: producerEpoch, baseSequence: seq)
                seq = (seq &+ Int32(b.recordCount)) & Int32.max
            }
            sequences[tp] = PartitionSequences(next: seq, oldestUnresolved: 0)
        }
    }

    /// Obtains a producer id and epoch. With `bumping`, names the current
    /// ones so a v3+ broker bumps the epoch (KIP-360); an older broker (which
    /// never sees the fields), or an exhausted epoch, gets a new producer id.
    private func initProducerId(bumping current: (id: Int64, epoch: Int16)? = nil) throws {
        var attempt = 0
        var request = InitProducerIdRequest()
        if let current, current.epoch < Int16.max {
            request = InitProducerIdRequest(producerId: current.id, producerEpoch: current.epoch)
        }
        while true {
            do {
                let resp = try cluster.anyConnection().request(request)
                if resp.errorCode == .none {
                    producerId = resp.producerId
                    producerEpoch = resp.producerEpoch
                    return
                }
                let err = KafkaError.broker(code: resp.errorCode, context: "InitProducerId")
                if !resp.errorCode.isRetriable || attempt >= options.retries { throw err }
            } catch let e as KafkaError where e.isRetriable && attempt < options.retries {
            }
            attempt += 1
            usleep(UInt32(Clock.backoff(attempt: attempt, baseMs: options.retryBackoffMs, maxMs: options.retryBackoffMaxMs) * 1000))
        }
    }
}
