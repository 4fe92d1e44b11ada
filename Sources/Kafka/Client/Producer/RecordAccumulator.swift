import Foundation

/// Where `send` leaves records: one open batch per partition, sealed when
/// it reaches `batchBytes`, has lingered `lingerMs`, or a flush or close
/// asks. Counts every record from `send` until the sender settles it as
/// acked or failed, and blocks `send` while `bufferBytes` are outstanding.
///
/// Shared by the callers of `send` and the sender thread; `cond` guards all
/// of it and wakes whichever side waits (the sender for a full batch, a
/// flush or close; `send` for buffer space; `flush` for settled records).
final class RecordAccumulator: @unchecked Sendable {
    /// Records taken from a partition's open batch, not yet numbered or encoded.
    struct Sealed {
        let tp: TopicPartition
        let builder: RecordBatchBuilder
        let sendIndexes: [Int]
        /// Buffer-accounting bytes of the records.
        let bytes: Int
        let openedMs: Int64
    }

    private struct OpenBatch {
        var builder = RecordBatchBuilder()
        var sendIndexes: [Int] = []
        var openedMs: Int64 = 0
        /// Buffer-accounting bytes of the batch's records.
        var bytes = 0

        /// Returns true once the batch is full.
        mutating func append(_ key: UnsafeRawBufferPointer?, _ value: UnsafeRawBufferPointer?, _ headers: [RecordHeader],
                             _ ts: Int64, sendIndex: Int, size: Int, batchBytes: Int) -> Bool {
            if builder.recordCount == 0 { openedMs = Clock.monoMs() }
            builder.append(keyBytes: key, valueBytes: value, headers: headers, timestamp: ts)
            sendIndexes.append(sendIndex)
            bytes += size
            return builder.sizeInBytes >= batchBytes
        }
    }

    private let options: ProducerOptions
    private let metadataMaxAgeMs: Int
    private let fetchPartitionCount: (String) throws -> Int
    private let cond = NSCondition()
    private var open: [TopicPartition: OpenBatch] = [:]
    private var partitioner = StickyPartitioner()
    private var bufferedBytes = 0
    private var stats = DeliveryStats()
    private var closing = false
    private var flushRequested = 0

    init(options: ProducerOptions, metadataMaxAgeMs: Int, fetchPartitionCount: @escaping (String) throws -> Int) {
        self.options = options
        self.metadataMaxAgeMs = metadataMaxAgeMs
        self.fetchPartitionCount = fetchPartitionCount
    }

    // MARK: - The callers' side

    /// Appends a record to its partition's open batch, copying key and value
    /// straight from the caller's buffers. Blocks while the buffer is full;
    /// throws if the producer is closed.
    func append(topic: String, keyBytes: UnsafeRawBufferPointer?, valueBytes: UnsafeRawBufferPointer?,
                headers: [RecordHeader], timestamp: Int64?, partition explicit: Int32?) throws {
        let count = try partitionCount(topic)
        var size = (keyBytes?.count ?? 0) + (valueBytes?.count ?? 0) + 16
        for h in headers { size += h.key.utf8.count + (h.value?.count ?? 0) + 4 }
        let ts = timestamp ?? Clock.wallMs()
        cond.lock()
        defer { cond.unlock() }
        // A record bigger than the whole buffer still goes, alone, rather than never.
        while bufferedBytes + size > options.bufferBytes && bufferedBytes > 0 && !closing {
            cond.wait()
        }
        if closing { throw KafkaError.closed }
        let partition = try partitioner.partition(topic: topic, key: keyBytes, explicit: explicit, count: count)
        // Mutated in place through the dictionary's modify accessor: no copy of the batch.
        let full = open[TopicPartition(topic, partition), default: OpenBatch()]
            .append(keyBytes, valueBytes, headers, ts, sendIndex: stats.sent, size: size, batchBytes: options.batchBytes)
        stats.sent += 1
        bufferedBytes += size
        // The sender seals it now rather than at its next linger check.
        if full { cond.broadcast() }
    }

    /// The cached partition count, or the cluster's. The lock is not held
    /// while metadata is fetched, so other topics' records keep flowing.
    private func partitionCount(_ topic: String) throws -> Int {
        let now = Clock.monoMs()
        cond.lock()
        let cached = partitioner.cachedCount(topic, now: now, maxAgeMs: metadataMaxAgeMs)
        cond.unlock()
        if let cached { return cached }
        let n = try fetchPartitionCount(topic)
        cond.lock()
        partitioner.remember(count: n, of: topic, fetchedAt: now)
        cond.unlock()
        return n
    }

    /// Seals every open batch at once and blocks until every record sent so
    /// far is settled, or `deadline` passes.
    func flush(until deadline: Date?) throws {
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

    /// Refuses further records; returns false when already closed.
    func close() -> Bool {
        cond.lock()
        defer { cond.unlock() }
        let wasClosing = closing
        closing = true
        cond.broadcast()
        return !wasClosing
    }

    var deliveryStats: DeliveryStats {
        cond.lock()
        defer { cond.unlock() }
        return stats
    }

    // MARK: - The sender's side

    /// Takes the batches that are full, have lingered long enough, or are
    /// flushed, and says when the next open batch falls due.
    func sealDueBatches() -> (sealed: [Sealed], nextDueMs: Int64) {
        cond.lock()
        defer { cond.unlock() }
        let now = Clock.monoMs()
        // Also bounds how late the sender sees a wakeup it missed.
        var nextDue = now + 100
        let draining = closing || flushRequested > 0
        var sealed: [Sealed] = []
        for tp in Array(open.keys) {
            guard let b = open[tp], b.builder.recordCount > 0 else { continue }
            let due = b.openedMs + Int64(options.lingerMs)
            if draining || now >= due || b.builder.sizeInBytes >= options.batchBytes {
                sealed.append(Sealed(tp: tp, builder: b.builder, sendIndexes: b.sendIndexes, bytes: b.bytes, openedMs: b.openedMs))
                open[tp] = OpenBatch()
                partitioner.batchSealed(tp)
            } else {
                nextDue = min(nextDue, due)
            }
        }
        return (sealed, nextDue)
    }

    /// True once closed with every record settled: the sender may stop.
    /// Otherwise waits up to `waitMs` (nil: not at all) for a send, flush or close.
    func drainedAfterClose(elseWaitMs waitMs: Int64?) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        if closing && stats.pending == 0 { return true }
        if let waitMs { _ = cond.wait(until: Date().addingTimeInterval(Double(waitMs) / 1000)) }
        return false
    }

    /// Settles delivered or failed batches: their records leave the buffer.
    func settle(_ batches: [ProducerBatch], failure: String?) {
        cond.lock()
        defer { cond.unlock() }
        for b in batches { settle(b.tp, b.sendIndexes, bytes: b.byteSize, failure: failure) }
        cond.broadcast()
    }

    /// Settles records that failed before they became a batch (encoding).
    func settle(_ sealed: Sealed, failure: String) {
        cond.lock()
        defer { cond.unlock() }
        settle(sealed.tp, sealed.sendIndexes, bytes: sealed.bytes, failure: failure)
        cond.broadcast()
    }

    /// Caller holds the lock.
    private func settle(_ tp: TopicPartition, _ sendIndexes: [Int], bytes: Int, failure: String?) {
        bufferedBytes -= bytes
        guard let failure else {
            stats.acked += sendIndexes.count
            KafkaRequestMetrics.records(topic: tp.topic, acknowledged: true, count: sendIndexes.count)
            return
        }
        stats.failed += sendIndexes.count
        KafkaRequestMetrics.records(topic: tp.topic, acknowledged: false, count: sendIndexes.count)
        // Capped: a dead cluster must not grow this without bound.
        for i in sendIndexes where stats.failures.count < 1000 {
            stats.failures.append(DeliveryFailure(sendIndex: i, topic: tp.topic, partition: tp.partition, error: failure))
        }
    }
}
