import Kafka
import SecStreamCore
import SecStreamPipeline

/// Fetched record batches as jobs that take the partitions in turn: at most
/// `recordsPerJob` records each, small enough that partitions interleave (one
/// fetch holds megabytes per partition), so none looks idle while its records
/// wait behind another's, and the watermark moves evenly.
///
/// The batches are not decoded here (on the polling thread): each job gets a
/// loader (`RecordBatchLines`) for its range of a batch's records, and the
/// worker that scans the job decodes the batch. The ranges are planned from
/// the batch headers' record counts, which are the decoded counts of every
/// well-formed batch (`FetchedRecordBatch.recordCount`), so the jobs are the
/// ones the decoded batches made.
struct PartitionInterleaver {
    /// Fetched batches not yet turned into jobs, and the next record of the first.
    private var pending: [(batch: BatchDecodeOnce, next: Int)] = []
    static let recordsPerJob = 4096

    var isEmpty: Bool { pending.isEmpty }

    /// The partitions with records waiting here.
    var partitions: Set<Int32> { Set(pending.map(\.batch.batch.partition)) }

    /// Queues one poll's batches, round-robin over their partitions.
    mutating func add(_ batches: [FetchedRecordBatch]) {
        pending += Self.interleaved(batches).map { (BatchDecodeOnce($0), 0) }
    }

    /// Orders fetched batches round-robin over partitions (each partition's
    /// batches stay in offset order).
    static func interleaved(_ batches: [FetchedRecordBatch]) -> [FetchedRecordBatch] {
        var byPartition: [Int32: [FetchedRecordBatch]] = [:]
        var order: [Int32] = []
        for b in batches {
            if byPartition[b.partition] == nil { order.append(b.partition) }
            byPartition[b.partition, default: []].append(b)
        }
        var out: [FetchedRecordBatch] = []
        out.reserveCapacity(batches.count)
        var round = 0
        while out.count < batches.count {
            for p in order where round < byPartition[p]!.count { out.append(byPartition[p]![round]) }
            round += 1
        }
        return out
    }

    /// Fills `job` with up to `recordsPerJob` records of the first pending
    /// batch, as lines of its partition's input (made by the worker). A batch
    /// split over several jobs is rotated to the back so the partitions take
    /// turns. Returns the partition.
    mutating func fill(_ job: ScanJob, sources: SourceTable) -> Int32 {
        let (shared, from) = pending.removeFirst()
        let batch = shared.batch
        job.resetOwned(source: sources.partition(topic: batch.topic, partition: batch.partition), input: Int(batch.partition))
        let to = min(batch.recordCount, from + Self.recordsPerJob)
        job.loader = RecordBatchLines(batch: shared, range: from..<to)
        if to < batch.recordCount {
            // The rest of this batch goes after the other partitions' next batches.
            let later = pending.firstIndex { $0.batch.batch.partition == batch.partition } ?? pending.endIndex
            let otherPartitions = Set(pending[..<later].map(\.batch.batch.partition)).count
            pending.insert((shared, to), at: min(later, otherPartitions))
        }
        return batch.partition
    }
}
