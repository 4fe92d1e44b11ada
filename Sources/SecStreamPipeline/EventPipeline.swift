import Foundation
import SecStreamCore

/// The one-way flow shared by `process` and `replay`:
/// source -> (workers) scan + match -> engine -> alert, dead-letter and archive sinks.
/// Everything here except `ScanJob.work` runs on the calling (engine) thread,
/// in input order, so the output is a function of the input.
final class EventPipeline {
    let rules: RuleSet
    let sources: SourceTable
    let engine: WindowEngine
    let alerts: AlertWriter
    let deadLetters: DeadLetterWriter
    let archive: EventSink?
    private let context: ScanContext
    private let depth: Int
    private var freeJobs: [ScanJob] = []
    private let freeLock = NSLock()

    private(set) var lines = 0
    private(set) var blank = 0
    private(set) var bytes = 0
    let started = DispatchTime.now()

    init(rules: RuleSet, engineOptions: EngineOptions, sources: SourceTable, alerts: AlertWriter,
         deadLetters: DeadLetterWriter, archive: EventSink?, threads: Int) {
        self.rules = rules
        self.sources = sources
        self.alerts = alerts
        self.deadLetters = deadLetters
        self.archive = archive
        engine = WindowEngine(rules: rules, options: engineOptions, sources: sources, sink: alerts)
        context = ScanContext(rules: rules)
        let workers = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        depth = max(4, workers * 3)
    }

    /// Runs `source` to its end (or until `shouldStop` says so between jobs).
    func run(_ source: LineSource, shouldStop: @escaping () -> Bool = { false }) throws {
        let queue = OrderedWorkQueue<ScanJob>(depth: depth)
        try queue.run(
            produce: { [self] in
                if shouldStop() { return nil }
                let job = takeJob()
                guard try source.fill(job) else { returnJob(job); return nil }
                return job
            },
            work: { $0.work() },
            consume: { [self] job in
                try consume(job)
                try source.consumed(job, pipeline: self)
                job.release()
                returnJob(job)
                return true
            })
    }

    /// End of bounded input: release held events, close every window, close sinks.
    func finish() throws {
        engine.finish()
        try alerts.checkError()
        try alerts.close()
        try deadLetters.close()
        try archive?.close()
    }

    private func consume(_ job: ScanJob) throws {
        try job.withStorage { storage in
            let input = job.input
            for (i, ref) in job.lines.enumerated() {
                let raw = ref.oversized ? UnsafeRawBufferPointer(start: nil, count: 0)
                                        : UnsafeRawBufferPointer(rebasing: storage[ref.start..<(ref.start + ref.length)])
                let location = EventLocation(source: job.source, position: ref.position)
                bytes += ref.length + 1
                switch job.outcomes[i] {
                case .blank:
                    blank += 1
                case .malformed(let reason):
                    try deadLetters.writeMalformed(reason, location: location, sources: sources, raw: raw)
                case .event(let time):
                    if engine.admit(time: time, input: input, line: i, of: job.batch) {
                        try archive?.append(raw, time: time, location: location)
                    } else {
                        try deadLetters.writeLate(time: time, watermark: engine.watermark, location: location,
                                                  sources: sources, raw: raw)
                    }
                }
            }
            lines += job.lines.count
        }
        try alerts.checkError()
        try archive?.jobDone()
    }

    private func takeJob() -> ScanJob {
        freeLock.lock()
        defer { freeLock.unlock() }
        return freeJobs.popLast() ?? ScanJob(context: context)
    }

    private func returnJob(_ job: ScanJob) {
        freeLock.lock()
        freeJobs.append(job)
        freeLock.unlock()
    }

    /// One line on stderr: what was read, what was wrong, what was found.
    func summaryLine() -> String {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let c = engine.counters
        return String(format: "secstream: %d lines (%.1f MB) in %.2fs: %d events, %d malformed, %d late, %d blank; %d matches, %d alerts",
                      lines, Double(bytes) / 1e6, seconds, c.eventsAdmitted, deadLetters.malformed,
                      deadLetters.late, blank, c.matches, alerts.written)
    }
}
