import SecStreamCore

/// Where the pipeline's lines come from: files, Kafka partitions, archive
/// objects. A source fills reusable jobs on the producer thread; the pipeline
/// scans them on workers and hands them to the engine thread in order.
protocol LineSource: AnyObject {
    /// Fills `job` with the next batch of lines (producer thread). Returns
    /// false at the end of a bounded input.
    func fill(_ job: ScanJob) throws -> Bool

    /// Engine thread, after every line of `job` went through the engine and
    /// the sinks (e.g. to advance commit positions).
    func consumed(_ job: ScanJob, pipeline: EventPipeline) throws
}

extension LineSource {
    func consumed(_ job: ScanJob, pipeline: EventPipeline) throws {}
}

/// Receives every on-time valid event in arrival order (the archive writer).
protocol EventSink: AnyObject {
    func append(_ line: UnsafeRawBufferPointer, time: Int64, location: EventLocation) throws
    /// Called after each job: a chance to flush by size or age.
    func jobDone() throws
    func close() throws
}
