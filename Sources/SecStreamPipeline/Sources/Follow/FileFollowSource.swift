import Foundation
import SecStreamCore

/// `process --follow` / `--until-idle` on files: every file is followed like
/// `tail -F` (`FollowedFile`), the files round-robin, one chunk at a time,
/// over those with data, and each file is its own watermark input, as each
/// Kafka partition is, so a quiet file stops holding back the watermark after
/// `--idle-timeout`.
///
/// When every file is at the end of its data the producer sleeps briefly
/// between looks (no busy loop) and sends an empty job now and then, so the
/// engine thread moves the idle clock and flushes the alerts written since.
/// The run ends after `--until-idle` without new lines or on SIGINT/SIGTERM;
/// then every file is read to its end, its partial last line included, and
/// the runner closes the windows as at the end of a file.
final class FileFollowSource: LineSource {
    private let files: [FollowedFile]
    private let engine: WindowEngine
    private let untilIdleMs: Int64?
    private let shouldStop: () -> Bool
    private let pollMs: Int64 = 50
    private let heartbeatMs: Int64 = 100

    /// The file to look at first (round-robin).
    private var next = 0
    private var ending = false
    private var lastDataMs = monotonicMs()
    private var lastHeartbeatMs: Int64 = 0

    /// Inputs that returned data on their last look (a backlog being read
    /// round-robin is slow, not idle), shared with the engine thread.
    private let lock = NSLock()
    private var backlogged = Set<Int>()
    /// Engine thread: alerts and dead letters written by the last flush.
    private var flushedAlerts = 0
    private var flushedDeadLetters = 0

    /// `--ready-file`: the read offsets of every file at each idle look
    /// (producer thread, keyed by the heartbeat job's token), reported as
    /// `caught-up` by the engine thread once that job is consumed, i.e. once
    /// every line read before it went through the engine and its alerts were
    /// flushed; only when they differ from the last report.
    private let ready: ReadinessReporter?
    private var idleLooks: [Int64: [(path: String, offset: Int64)]] = [:]
    private var nextLook: Int64 = 1
    private var reported: [String]?

    /// Opens the files that exist (a compressed one is a usage error before
    /// anything runs) and declares one watermark input per file on `engine`,
    /// which the pipeline has not started using yet.
    init(paths: [String], sources: SourceTable, engine: WindowEngine, untilIdleMs: Int64?,
         ready: ReadinessReporter?, shouldStop: @escaping () -> Bool) throws {
        files = paths.enumerated().map {
            FollowedFile(path: $0.element, input: $0.offset, source: sources.file($0.element), ready: ready)
        }
        self.ready = ready
        self.engine = engine
        self.untilIdleMs = untilIdleMs
        self.shouldStop = shouldStop
        for file in files { try file.open() }
        // Start the idle clock now: a file counts as idle only after
        // `--idle-timeout` without lines from here on.
        try engine.advance(wallClock: monotonicMs())
        for file in files { engine.registerInput(file.input) }
    }

    // MARK: Producer thread

    func fill(_ job: ScanJob) throws -> Bool {
        while true {
            if ending { return try fillFinal(job) }
            if shouldStop() { ending = true; continue }
            if let (file, chunk) = try nextChunk() {
                job.reset(chunk: chunk, source: file.source, input: file.input)
                lastDataMs = monotonicMs()
                return true
            }
            let now = monotonicMs()
            if let idle = untilIdleMs, now - lastDataMs >= idle {
                ending = true
                continue
            }
            if now - lastHeartbeatMs >= heartbeatMs {
                lastHeartbeatMs = now
                job.resetOwned(source: -1, input: -1)
                if ready != nil {
                    // No file had data just now: every line read is in the queue before this job.
                    let look = nextLook
                    nextLook += 1
                    job.token = look
                    let offsets = files.compactMap { file in file.readOffset.map { (file.path, $0) } }
                    lock.lock(); idleLooks[look] = offsets; lock.unlock()
                }
                return true
            }
            usleep(useconds_t(pollMs * 1000))
        }
    }

    /// The next chunk of the first file, from `next` on, that has one.
    private func nextChunk() throws -> (FollowedFile, LineChunk)? {
        for k in 0..<files.count {
            let file = files[(next + k) % files.count]
            let chunk = try file.read()
            lock.lock()
            if chunk != nil { backlogged.insert(file.input) } else { backlogged.remove(file.input) }
            lock.unlock()
            if let chunk {
                next = (next + k + 1) % files.count
                return (file, chunk)
            }
        }
        return nil
    }

    /// The rest of every file, partial last lines included; false when done.
    private func fillFinal(_ job: ScanJob) throws -> Bool {
        for file in files {
            if let chunk = try file.finish() {
                job.reset(chunk: chunk, source: file.source, input: file.input)
                return true
            }
        }
        return false
    }

    // MARK: Engine thread

    func consumed(_ job: ScanJob, pipeline: EventPipeline) throws {
        // A fresh array made under the lock: a copy of the Set would share its
        // storage with the producer, which inserts into it in place once this
        // thread lets go (ThreadSanitizer: data race, FileFollowTests).
        lock.lock()
        let behind = Array(backlogged)
        lock.unlock()
        for input in behind { engine.touchInput(input) }
        try engine.advance(wallClock: monotonicMs())
        guard job.source < 0 else { return }
        // Caught up with every file: what was found so far reaches its
        // destination now, not when a buffer fills or the run ends.
        if pipeline.alerts.written != flushedAlerts {
            flushedAlerts = pipeline.alerts.written
            try pipeline.alerts.makeDurable()
        }
        let deadLetters = pipeline.deadLetters.malformed + pipeline.deadLetters.late
        if deadLetters != flushedDeadLetters {
            flushedDeadLetters = deadLetters
            try pipeline.deadLetters.makeDurable()
        }
        if let ready, job.token > 0 {
            lock.lock()
            let offsets = idleLooks.removeValue(forKey: job.token) ?? []
            lock.unlock()
            let key = offsets.map { "\($0.offset) \($0.path)" }
            if key != reported {
                reported = key
                try ready.report("caught-up", [("files", .objects(offsets.map { [("path", .string($0.path)), ("offset", .int($0.offset))] }))])
            }
        }
    }
}
