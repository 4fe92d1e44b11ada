import SecStreamCore

/// NDJSON files (plain, gzip, lz4, zstd — by magic bytes) or stdin, each read
/// once to its end, in large chunks (`BoundedFile`).
///
/// Several inputs are merged by event time, each its own watermark input (as
/// a followed file or a Kafka partition is): the next chunk is always the one,
/// among the open files, whose first event is the earliest (ties in argument
/// order). Files that cover the same period then advance together, and the
/// watermark, the minimum over the files, never passes a file's events for
/// another file's sake: an event is late only against its own file's times.
/// The order depends on nothing but the files' contents, so the same files
/// give the same alerts every run. A file read to its end stops holding the
/// watermark back (`InputActivity.ended`).
///
/// Memory: a file is opened only when the merge reaches its first event time
/// (read from its first lines at the start, then the file is let go), and an
/// open file holds one chunk ahead. So a year of day-by-day files is read
/// about one file at a time; only files that overlap in time are open (and
/// hold a chunk) together. Until it opens, the earliest file not yet open is
/// declared to the engine with its first event time (`InputActivity.starting`),
/// so the open files' chunks cannot move the watermark past it meanwhile
/// (a chunk spans minutes to hours of events, far more than the lateness).
/// Stdin and other inputs that cannot be read twice (pipes, devices) are
/// opened at the start, and a file without an event in its first
/// `BoundedFile.peekLimit` bytes too.
///
/// One input is read as it always was: no merge, no time reading, no activity.
final class FileLineSource: LineSource {
    private let files: [BoundedFile]
    private let progress: ProgressLine
    /// Reads the first event time of chunks and peeked files; nil with one input (no merge).
    private let times: LineTimeReader?
    private var started = false
    /// Open files with a chunk ready, in argument order.
    private var open: [BoundedFile] = []
    /// Files not opened yet, the one with the latest first event time first:
    /// the next to open is the last.
    private var waiting: [BoundedFile] = []
    /// The file whose chunk went out last: it reads its next chunk at the next `fill`.
    private var taken: BoundedFile?
    /// Inputs already declared to the engine (`starting`), by input.
    private var declared: [Bool]
    /// What the next job tells the pipeline about the inputs.
    private var activity = InputActivity(wallClock: nil)

    /// `progress` is told the bytes read after every chunk; its total is the
    /// inputs' sizes, unknown when one of them is stdin or not a regular file.
    /// `timeField` and `epochUnit` are the rules' (`--time-field`): the merge
    /// reads event times as the workers do.
    init(inputs: [String], sources: SourceTable, timeField: String, epochUnit: EpochUnit,
         progress: ProgressLine = .off) {
        files = inputs.enumerated().map { input, path in
            BoundedFile(path: path, input: input, source: sources.file(path == "-" ? "stdin" : path))
        }
        times = inputs.count > 1 ? LineTimeReader(timeField: timeField, epochUnit: epochUnit) : nil
        declared = Array(repeating: false, count: inputs.count)
        self.progress = progress
        if progress.enabled { progress.setTotal(ProgressLine.fileSizes(inputs)) }
    }

    func fill(_ job: ScanJob) throws -> SourceYield {
        if !started { try start() }
        if let file = taken {
            taken = nil
            try readAhead(file)
        }
        while true {
            let next = earliestOpen()
            if let head = waiting.last, let time = head.peekedTime,
               next == nil || time <= next!.pendingTime ?? .min {
                // The merge reached the next file's first event: open it.
                waiting.removeLast()
                try head.open()
                try readAhead(head)
                declareNextWaiting()
                continue
            }
            guard let next else { return .end }
            job.reset(chunk: next.take(), source: next.source, input: next.input)
            taken = next
            if progress.enabled { progress.report(done: files.reduce(0) { $0 + $1.bytesRead }) }
            defer { activity = InputActivity(wallClock: nil) }
            return .lines(activity.isEmpty ? nil : activity)
        }
    }

    /// Peeks the regular files' first event times (with several inputs) and
    /// opens the rest, in argument order.
    private func start() throws {
        started = true
        var later: [BoundedFile] = []
        for file in files {
            if let times, file.isRegularFile {
                try file.peek(times)
                if file.peekedTime != nil {
                    later.append(file)
                    continue
                }
            }
            try file.open()
            try readAhead(file)
        }
        waiting = later.sorted { ($0.peekedTime!, $0.input) > ($1.peekedTime!, $1.input) }
        declareNextWaiting()
    }

    /// The open file whose chunk starts earliest (a chunk without an event
    /// first: it moves nothing), ties in argument order.
    private func earliestOpen() -> BoundedFile? {
        var best: BoundedFile?
        for file in open where best == nil || file.pendingTime ?? .min < best!.pendingTime ?? .min {
            best = file
        }
        return best
    }

    /// Reads the file's next chunk; at its end the file leaves the merge and
    /// stops holding the watermark back after this job.
    private func readAhead(_ file: BoundedFile) throws {
        if try file.readAhead(times) {
            if !open.contains(where: { $0 === file }) {
                open.append(file)
                open.sort { $0.input < $1.input }
            }
            // A file opened at the start holds the watermark from its first event on.
            if times != nil, let time = file.pendingTime { declare(file.input, time) }
            return
        }
        open.removeAll { $0 === file }
        if times != nil && declared[file.input] { activity.ended.append(file.input) }
    }

    /// The next file to open holds the watermark at its first event time until then.
    private func declareNextWaiting() {
        guard let head = waiting.last, let time = head.peekedTime else { return }
        declare(head.input, time)
    }

    private func declare(_ input: Int, _ time: Int64) {
        guard !declared[input] else { return }
        declared[input] = true
        activity.starting.append(InputStart(input: input, time: time))
    }
}
