import Kafka
import SecStreamCore
import SecStreamPipeline

/// A job's lines: records `range` of one fetched batch, made on the worker
/// that scans them (`JobLineLoader`). The batch is decoded there (once for
/// all its jobs, `BatchDecodeOnce`), and each record value becomes a line that
/// points into the batch's buffer (the fetch response, or the decompressed
/// records), which the job keeps until it is released: no byte is copied.
///
/// The range is planned on the polling thread from the batch header's record
/// count (`FetchedRecordBatch.recordCount`), so the jobs and their order are
/// what they were when the batches were decoded there. The job's offsets come
/// from the decoded records, as they did then.
final class RecordBatchLines: JobLineLoader {
    private let batch: BatchDecodeOnce
    private let range: Range<Int>

    init(batch: BatchDecodeOnce, range: Range<Int>) {
        self.batch = batch
        self.range = range
    }

    func load(into job: ScanJob) throws {
        let records: ConsumedRecords
        do {
            records = try batch.records()
        } catch {
            // What a decode failure on the polling thread was: the run ends
            // with exit 4, naming topic, partition and offset.
            throw RunError(.remote, "consume \(batch.batch.topic): \(error)")
        }
        // A malformed batch may hold fewer records than its header said: its
        // later jobs are then empty, their offsets at the batch's end.
        let to = min(range.upperBound, records.count)
        let from = min(range.lowerBound, to)
        job.withBorrowedLines(records.buffer) { lines in
            lines.reserveCapacity(to - from)
            records.withValueRanges(from..<to) { offset, start, count in
                // A null value is an empty line (skipped as blank, as before).
                lines.append(start: count < 0 ? 0 : start, length: max(0, count), position: offset)
            }
        }
        let nextOffset = batch.batch.nextOffset
        job.offsets = (from < records.count ? records.offset(at: from) : nextOffset,
                       to < records.count ? records.offset(at: to) : nextOffset)
    }
}
