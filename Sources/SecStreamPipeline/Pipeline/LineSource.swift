import SecStreamCore

/// Where the pipeline's lines come from: files, Kafka partitions, archive
/// objects. A source only produces: it fills reusable jobs on the producer
/// thread and says what it filled; the pipeline scans them on workers and
/// hands them to the engine thread in order. A source never reaches into the
/// engine or the sinks: what the engine's idle clock needs travels with the
/// jobs (`InputActivity`), and durability is the pipeline's `CheckpointHook`.
package protocol LineSource: AnyObject {
    /// Producer thread: fills `job` with the next batch of lines, or says
    /// that nothing new is there yet, or that the input ended.
    func fill(_ job: ScanJob) throws -> SourceYield
}

/// What `LineSource.fill` produced.
package enum SourceYield {
    /// The job holds the next lines. A source with several inputs says how
    /// they stand; one with nothing to say gives nil.
    case lines(InputActivity?)
    /// Nothing new to read right now (a following source, about every 100 ms
    /// while it waits). The job stays empty but still goes through the engine
    /// thread in input order, so the idle clock moves and what was written so
    /// far can be made durable.
    case heartbeat(Heartbeat)
    /// The end of a bounded input, or of a followed one (idle, stopped, rebalanced).
    case end
}

/// How a source's inputs (files, partitions: the engine's watermark inputs)
/// stand when it fills a job. The pipeline declares the opened and starting
/// inputs to the engine before the job's lines and applies the rest after them.
package struct InputActivity {
    /// The monotonic clock (ms, `monotonicMs`) when the source looked; nil
    /// for bounded files read to their ends, whose inputs never go idle: the
    /// output must not depend on how fast they were read.
    package var wallClock: Int64?
    /// Inputs that came into being since the previous job (every followed
    /// file at the start, newly assigned partitions). The pipeline declares
    /// them before the job's lines, so each holds the watermark back from now
    /// until it delivers or stays quiet for `--idle-timeout`.
    package var opened: [Int] = []
    /// Inputs declared with the time of their first event, known before it is
    /// read (bounded files merged by event time): each holds the watermark at
    /// that time minus the lateness until it delivers, rather than wherever
    /// the watermark stands, so a file that starts later does not stall the
    /// files before it meanwhile.
    package var starting: [InputStart] = []
    /// Inputs with data known to be waiting (a backlog read round-robin, a
    /// partition behind its high watermark): slow, not idle.
    package var busy: [Int] = []
    /// Inputs read to their end (a bounded file): they stop holding the
    /// watermark back once the job's lines are in.
    package var ended: [Int] = []

    package init(wallClock: Int64?, opened: [Int] = [], starting: [InputStart] = [], busy: [Int] = [], ended: [Int] = []) {
        self.wallClock = wallClock
        self.opened = opened
        self.starting = starting
        self.busy = busy
        self.ended = ended
    }

    /// Nothing to declare or apply.
    package var isEmpty: Bool {
        wallClock == nil && opened.isEmpty && starting.isEmpty && busy.isEmpty && ended.isEmpty
    }
}

/// An input and the time of its first event (`InputActivity.starting`).
package struct InputStart: Equatable {
    package var input: Int
    package var time: Int64

    package init(input: Int, time: Int64) {
        self.input = input
        self.time = time
    }
}

/// A following source found nothing new to read.
package struct Heartbeat {
    package var activity: InputActivity
    /// Every input was at its end at this look, and this is where each was
    /// read to (nil when something was still waiting, or without `--ready-file`).
    package var caughtUp: CaughtUpPositions?

    package init(activity: InputActivity, caughtUp: CaughtUpPositions? = nil) {
        self.activity = activity
        self.caughtUp = caughtUp
    }
}

/// Receives every on-time valid event in arrival order (the archive writer).
package protocol EventSink: AnyObject {
    func append(_ line: UnsafeRawBufferPointer, time: Int64, location: EventLocation) throws
    /// Called after each job: a chance to flush by size or age.
    func jobDone() throws
    func close() throws
}
