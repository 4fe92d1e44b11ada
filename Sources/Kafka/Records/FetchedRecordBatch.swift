/// One record batch of a fetch response, framed and its header read, whose
/// CRC32C check, decompression and record parsing (`decode`) are still to do.
///
/// The polling thread needs only the header to move a partition's position;
/// the rest is most of a consumer's per-byte work, and `decode` is a pure
/// function of the batch's bytes, so a consumer can run it on any thread,
/// several batches at once (`KafkaConsumer.pollFetched`). The batch holds the
/// fetch response's buffer (shared, not copied): an uncompressed batch's
/// records point into it.
public struct FetchedRecordBatch: @unchecked Sendable {
    public let topic: String
    public let partition: Int32
    /// The offset to fetch after this batch (last offset + 1).
    public let nextOffset: Int64
    /// The partition's high watermark at fetch time.
    public let highWatermark: Int64
    /// The records `decode` returns, from the header: exact for every batch a
    /// Kafka producer writes. A malformed batch may decode to fewer (records
    /// whose offset deltas point below the fetch offset are skipped), or
    /// fail to decode.
    public let recordCount: Int

    private enum Bytes {
        /// Still to check and decode: the batch is `buffer[start..<start + total]`.
        case raw(buffer: [UInt8], start: Int, total: Int, fromOffset: Int64, maxDecompressedBytes: Int)
        /// Decoded while splitting (`RecordBatchDecoder.split` says when).
        case decoded(ConsumedRecordBatch)
    }

    private let bytes: Bytes

    init(topic: String, partition: Int32, buffer: [UInt8], start: Int, total: Int, count: Int, nextOffset: Int64,
         fromOffset: Int64, highWatermark: Int64, maxDecompressedBytes: Int) {
        self.topic = topic
        self.partition = partition
        self.nextOffset = nextOffset
        self.highWatermark = highWatermark
        recordCount = count
        bytes = .raw(buffer: buffer, start: start, total: total, fromOffset: fromOffset, maxDecompressedBytes: maxDecompressedBytes)
    }

    init(decoded batch: ConsumedRecordBatch) {
        topic = batch.topic
        partition = batch.partition
        nextOffset = batch.nextOffset
        highWatermark = batch.highWatermark
        recordCount = batch.records.count
        bytes = .decoded(batch)
    }

    /// Checks the CRC, decompresses and parses the records: the errors of
    /// `RecordBatchDecoder.decode`, naming topic, partition and base offset.
    /// Safe to call from any thread, and more than once.
    public func decode() throws -> ConsumedRecordBatch {
        switch bytes {
        case .decoded(let batch):
            return batch
        case .raw(let buffer, let start, let total, let fromOffset, let maxDecompressedBytes):
            return try RecordBatchDecoder.decodeBatch(buffer, at: start, total: total, topic: topic, partition: partition,
                                                      fromOffset: fromOffset, highWatermark: highWatermark,
                                                      maxDecompressedBytes: maxDecompressedBytes)
        }
    }
}
