import Foundation
import Kafka

/// One fetched record batch, decoded at most once however many jobs share it.
/// A batch of more than `PartitionInterleaver.recordsPerJob` records feeds
/// several jobs, which may be scanned on different workers: the first worker
/// to need the records decodes them (CRC check, decompression, parsing) while
/// any other waits on the lock, then finds them ready. The outcome, records
/// or error, is kept, so every job of a corrupt batch fails with the same error.
final class BatchDecodeOnce: @unchecked Sendable {
    let batch: FetchedRecordBatch
    private let lock = NSLock()
    private var outcome: Result<ConsumedRecords, Error>?

    init(_ batch: FetchedRecordBatch) { self.batch = batch }

    /// The batch's records; decodes them on the first call (any thread).
    func records() throws -> ConsumedRecords {
        lock.lock()
        defer { lock.unlock() }
        if outcome == nil { outcome = Result { try batch.decode().records } }
        return try outcome!.get()
    }
}
