import Kafka
import SecStreamCore
import SecStreamPipeline

/// Fetched record batches as jobs that take the partitions in turn: at most
/// `recordsPerJob` records each, small enough that partitions interleave (one
/// fetch holds megabytes per partition), so none looks idle while its records
/// wait behind another's, and the watermark moves evenly.
struct PartitionInterleaver {
    /// Fetched batches not yet turned into jobs, and the next record of the first.
    private var pending: [(batch: ConsumedRecordBatch, next: Int)] = []
    private let recordsPerJob = 4096

    var isEmpty: Bool { pending.isEmpty }

    /// The partitions with records waiting here.
    var partitions: Set<Int32> { Set(pending.map(\.batch.partition)) }

    /// Queues one poll's batches, round-robin over their partitions.
    mutating func add(_ batches: [ConsumedRecordBatch]) {
        pending += Self.interleaved(batches).map { ($0, 0) }
    }

    /// Orders fetched batches round-robin over partitions (each partition's
    /// batches stay in offset order).
    static func interleaved(_ batches: [ConsumedRecordBatch]) -> [ConsumedRecordBatch] {
        var byPartition: [Int32: [ConsumedRecordBatch]] = [:]
        var order: [Int32] = []
        for b in batches {
            if byPartition[b.partition] == nil { order.append(b.partition) }
            byPartition[b.partition, default: []].append(b)
        }
        var out: [ConsumedRecordBatch] = []
        out.reserveCapacity(batches.count)
        var round = 0
        while out.count < batches.count {
            for p in order where round < byPartition[p]!.count { out.append(byPartition[p]![round]) }
            round += 1
        }
        return out
    }

    /// Fills `job` with up to `recordsPerJob` records of the first pending
    /// batch, as lines of its partition's input, with the offsets they cover.
    /// A batch split over several jobs is rotated to the back so the
    /// partitions take turns. Returns the partition.
    mutating func fill(_ job: ScanJob, sources: SourceTable) -> Int32 {
        let (batch, from) = pending.removeFirst()
        job.resetOwned(source: sources.partition(topic: batch.topic, partition: batch.partition), input: Int(batch.partition))
        let to = min(batch.records.count, from + recordsPerJob)
        batch.records.withValues(from..<to) { offset, value in
            job.appendLine(value ?? UnsafeRawBufferPointer(start: nil, count: 0), position: offset)
        }
        let first = batch.records.offset(at: from)
        let next = to < batch.records.count ? batch.records.offset(at: to) : batch.nextOffset
        job.offsets = (first, next)
        if to < batch.records.count {
            // The rest of this batch goes after the other partitions' next batches.
            let later = pending.firstIndex { $0.batch.partition == batch.partition } ?? pending.endIndex
            let otherPartitions = Set(pending[..<later].map(\.batch.partition)).count
            pending.insert((batch, to), at: min(later, otherPartitions))
        }
        return batch.partition
    }
}
