/// A sealed batch for one partition: encoded once (so retries resend the
/// identical bytes with the same sequence numbers) and tracked until acked or
/// failed. Only an epoch bump rewrites it (new producer id/epoch and sequence).
final class ProducerBatch {
    let tp: TopicPartition
    private(set) var encoded: [UInt8]
    let recordCount: Int
    let byteSize: Int
    /// Send-order indexes of the records, for per-record failure reports.
    let sendIndexes: [Int]
    private(set) var baseSequence: Int32
    let createdMs: Int64
    private(set) var attempts = 0
    /// Not sent again before this (monotonic) time: the retry backoff.
    private(set) var retryAtMs: Int64 = 0

    init(tp: TopicPartition, encoded: [UInt8], recordCount: Int, byteSize: Int, sendIndexes: [Int],
         baseSequence: Int32, createdMs: Int64) {
        self.tp = tp
        self.encoded = encoded
        self.recordCount = recordCount
        self.byteSize = byteSize
        self.sendIndexes = sendIndexes
        self.baseSequence = baseSequence
        self.createdMs = createdMs
    }

    func countAttempt() { attempts += 1 }

    func holdBack(untilMs: Int64) { retryAtMs = untilMs }

    /// Moves the batch to a new producer epoch with a new base sequence.
    func restamp(producerId: Int64, producerEpoch: Int16, baseSequence: Int32) {
        RecordBatchBuilder.restamp(&encoded, producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence)
        self.baseSequence = baseSequence
    }
}

