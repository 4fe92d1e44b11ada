/// Lines a source leaves for the worker to make. Most sources fill a job with
/// its lines on the producer thread; one whose lines take real work to get at
/// (a Kafka record batch: CRC check, decompression, record parsing) sets
/// `ScanJob.loader` instead, and the worker that scans the job loads them
/// first. Jobs still reach the engine in the order the source filled them, so
/// the engine sees the same lines in the same order either way; the work is
/// only spread over the workers instead of serialized on the producer thread.
package protocol JobLineLoader: AnyObject {
    /// Worker thread: appends the job's lines (`ScanJob.withBorrowedLines`,
    /// `appendLine`) and anything the source would have set with them
    /// (`ScanJob.offsets`). A failure ends the run once every job before
    /// this one has been consumed, as a source's own failure would.
    func load(into job: ScanJob) throws
}
