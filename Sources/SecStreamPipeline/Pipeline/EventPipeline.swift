import Workers
import Foundation
import SecStreamCore
import SecStreamMask
import SecStreamLearn

/// The one-way flow shared by `process` and `replay`:
/// source -> (workers) scan + match -> engine -> alert, dead-letter and archive sinks.
/// The source only fills jobs (on a producer thread). Everything else here
/// except `ScanJob.work` runs on the calling (engine) thread, in input order,
/// so the output is a function of the input: the pipeline moves the engine's
/// idle clock as the jobs' `InputActivity` says, and asks one `CheckpointHook`
/// for durability.
package final class EventPipeline {
    let rules: RuleSet
    let sources: SourceTable
    package let engine: WindowEngine
    let alerts: AlertWriter
    let deadLetters: DeadLetterWriter
    let archive: EventSink?
    /// `secstream_*` families, published after every job (nil: no `--metrics-*` outlet).
    package var metrics: PipelineMetrics?
    /// The masking policy (`--mask`), set before `run`; see `PipelineMasking`.
    package var masking: PipelineMasking? {
        didSet {
            let afterDetect = masking.flatMap { $0.beforeDetect ? nil : EventMasker(policy: $0.policy, caches: .few) }
            alerts.masker = afterDetect
            deadLetters.masker = afterDetect
            // Masked storage never holds a spooled oversized line's bytes: its dead letter goes without them.
            deadLetters.omitSpooledRaw = masking != nil
            context.maskBeforeDetect = masking.flatMap { $0.beforeDetect ? $0.policy : nil }
            // Archived events are masked on the workers; the engine thread copies their bytes.
            context.archiveMasking = archive == nil ? nil : masking.flatMap { $0.beforeDetect ? nil : MaskerPool(policy: $0.policy) }
        }
    }
    /// The window features (`--model`, `train`), set before `run`; see `PipelineWindowFeatures`.
    package var windowFeatures: PipelineWindowFeatures? {
        didSet { context.windowFeatures = windowFeatures?.spec }
    }
    private let context: ScanContext
    private let depth: Int
    private let workers: Int
    private var freeJobs: [ScanJob] = []
    private let freeLock = NSLock()

    /// Events a restart's rebuild skipped (`ScanJob.restartSkip`).
    package private(set) var replaySkipped = 0
    package private(set) var lines = 0
    private(set) var blank = 0
    private(set) var bytes = 0
    /// Events the engine holds aside as too far in the future (`--max-future-skew`),
    /// by held id: their bytes and place, for the dead letter if they never catch up.
    /// Events the future gate holds: their bytes and location for a dead
    /// letter, and their window-feature row for when they are admitted.
    private var heldLines: [Int64: (raw: [UInt8], location: EventLocation, features: EventFeatureRows?)] = [:]
    let started = DispatchTime.now()
    /// The run's progress line: told the events and alerts so far after each
    /// job (the source reports how far through its input it is), and erased
    /// before alert rows reach the terminal and when the run ends.
    package var progress: ProgressLine = .off {
        didSet {
            let line = progress
            if line.enabled && alerts.writesToStdout { alerts.beforeWrite = { line.clear() } }
        }
    }

    package init(rules: RuleSet, engineOptions: EngineOptions, sources: SourceTable, alerts: AlertWriter,
         deadLetters: DeadLetterWriter, archive: EventSink?, threads: Int, geoip: GeoIPEnricher? = nil) {
        self.rules = rules
        self.sources = sources
        self.alerts = alerts
        self.deadLetters = deadLetters
        self.archive = archive
        engine = WindowEngine(rules: rules, options: engineOptions, sources: sources, sink: alerts)
        context = ScanContext(rules: rules, geoip: geoip)
        workers = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        depth = max(4, workers * 3)
    }

    /// Runs `source` to its end (or until `shouldStop` says so between jobs).
    /// Following sources' jobs move the engine's idle clock; `checkpoint` is
    /// handed every job once the engine and the sinks are done with it, and
    /// `ready` gets the `caught-up` lines of the heartbeats that carry positions.
    package func run(_ source: LineSource, checkpoint: CheckpointHook? = nil, ready: ReadinessReporter? = nil,
             shouldStop: @escaping () -> Bool = { false }) throws {
        var reportedCaughtUp: CaughtUpPositions?
        // Erased however the run ends: an error's one line must start at the left margin.
        defer { progress.clear() }
        try OrderedWorkerPool.run(
            workers: workers, depth: depth,
            produce: { [self] () -> ScanJob? in
                if shouldStop() { return nil }
                let job = takeJob()
                switch try source.fill(job) {
                case .lines(let activity):
                    job.activity = activity
                case .heartbeat(let heartbeat):
                    job.activity = heartbeat.activity
                    job.heartbeat = heartbeat
                case .end:
                    returnJob(job)
                    return nil
                }
                return job
            },
            work: { _, job -> ScanJob in try job.work(); return job },
            consume: { [self] (job: ScanJob) in
                if let activity = job.activity { try open(activity) }
                try consume(job)
                if let activity = job.activity {
                    try advance(activity)
                    // What an ended or idle input let the gate decide, before the windows close.
                    try settleHeld()
                }
                try windowFeatures?.close(upTo: engine.watermark)
                windowFeatures?.bound(cap: engine.options.maxStateBytes, engineBytes: engine.counters.stateBytes)
                try checkpoint?.jobConsumed(job)
                metrics?.publish(self)
                if let caughtUp = job.heartbeat?.caughtUp, let ready, caughtUp != reportedCaughtUp {
                    reportedCaughtUp = caughtUp
                    try ready.report("caught-up", caughtUp.readinessFields)
                }
                job.release()
                returnJob(job)
                if progress.enabled { progress.report(events: Int64(engine.counters.eventsAdmitted), alerts: alerts.written) }
                return true
            })
    }

    /// Declares the inputs a source opened, before any of their lines. The
    /// idle clock moves to now first, so an input counts as idle only after
    /// `--idle-timeout` without events from here on.
    private func open(_ activity: InputActivity) throws {
        guard !activity.opened.isEmpty || !activity.starting.isEmpty else { return }
        if let now = activity.wallClock { try engine.advance(wallClock: now) }
        for input in activity.opened { engine.registerInput(input) }
        for start in activity.starting { engine.registerInput(start.input, startingAt: start.time) }
    }

    /// After a job's lines: inputs with data waiting are slow, not idle, and
    /// inputs read to their end stop holding the watermark back; then the
    /// wall clock moves, and an input quiet for `--idle-timeout` stops
    /// holding it back too.
    private func advance(_ activity: InputActivity) throws {
        for input in activity.busy { engine.touchInput(input) }
        for input in activity.ended { try engine.endInput(input) }
        if let now = activity.wallClock { try engine.advance(wallClock: now) }
    }

    /// End of bounded input: release held events, close every window, close sinks.
    package func finish() throws {
        try engine.finish()
        try settleHeld()
        try windowFeatures?.closeAll()
        if let line = evictionLine() { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        if let line = newTermsEvictionLine() { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        if let line = baselineEvictionLine() { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        if let line = windowFeatures?.evictionLine(capBytes: engine.options.maxStateBytes) {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        try alerts.close()
        try deadLetters.close()
        try archive?.close()
        metrics?.publish(self)
    }

    private func consume(_ job: ScanJob) throws {
        try job.withStorage { readStorage in
            // With --geoip an event's enriched bytes are what the sinks get.
            let storage = Storage(read: readStorage, geo: job.geo)
            let input = job.input
            let rule = job.restartSkip
            let batch = job.batch
            let nonEvents = job.nonEvents
            var nextNonEvent = 0
            let lineCount = job.lines.count
            let features = windowFeatures
            let featureRows = job.featureRows
            var featureCursor = 0
            try job.lines.withUnsafeBufferPointer { refs in
                try job.times.withUnsafeBufferPointer { times in
                    // The job's match records opened once, not per line.
                    try job.withArchiveMasked { masked in try batch.withRecords { matchRecords in
                        for i in 0..<lineCount {
                            let ref = refs[i]
                            bytes &+= ref.length &+ 1
                            let time = times[i]
                            if time == ScanJob.nonEventMark && nextNonEvent < nonEvents.count
                                && nonEvents[nextNonEvent].line == Int32(i) {
                                let reason = nonEvents[nextNonEvent].reason
                                nextNonEvent += 1
                                guard let reason else { blank += 1; continue }
                                if ref.oversized, ref.spoolOffset >= 0, let spool = job.chunk?.spool {
                                    try deadLetters.writeMalformed(reason, location: location(job, ref), sources: sources,
                                                                   spooled: spool, offset: ref.spoolOffset, length: ref.length)
                                } else {
                                    try deadLetters.writeMalformed(reason, location: location(job, ref), sources: sources,
                                                                   raw: raw(storage, ref))
                                }
                                continue
                            }
                            if let rule, rule.skips(position: ref.position, time: time) {
                                // Its match records, if any, are passed over by the next `admit`.
                                replaySkipped += 1
                                continue
                            }
                            switch try engine.admission(time: time, input: input, line: i, of: &matchRecords) {
                            case .onTime:
                                features?.admitted(featureRows, cursor: &featureCursor, line: i, time: time, location: location(job, ref))
                                if let archive { try archiveAppend(archive, masked, i, raw(storage, ref), time: time, location: location(job, ref)) }
                            case .late:
                                try deadLetters.writeLate(time: time, watermark: engine.watermark, location: location(job, ref),
                                                          sources: sources, raw: raw(storage, ref))
                            case .held(let id):
                                // A valid event: archived as read; kept here until the engine says
                                // whether it was admitted after all or is dead-lettered as future.
                                if let archive { try archiveAppend(archive, masked, i, raw(storage, ref), time: time, location: location(job, ref)) }
                                let row = features?.heldRow(featureRows, cursor: &featureCursor, line: i)
                                heldLines[id] = (Array(raw(storage, ref)), location(job, ref), row)
                            }
                        }
                    } }
                }
            }
            lines += lineCount
        }
        try settleHeld()
        try archive?.jobDone()
    }

    /// Dead-letters the held events the engine has given up on (or that were
    /// late by the time they were admitted) and forgets the admitted ones.
    private func settleHeld() throws {
        for outcome in engine.takeHeldOutcomes() {
            switch outcome {
            case .released(let id, let time, let onTime):
                guard let held = heldLines.removeValue(forKey: id) else { continue }
                if onTime, let row = held.features {
                    windowFeatures?.admittedLater(row, time: time, location: held.location)
                }
                if !onTime {
                    try held.raw.withUnsafeBytes {
                        try deadLetters.writeLate(time: time, watermark: engine.watermark, location: held.location,
                                                  sources: sources, raw: $0)
                    }
                }
            case .future(let id, let time, let frontier):
                guard let held = heldLines.removeValue(forKey: id) else { continue }
                try held.raw.withUnsafeBytes {
                    try deadLetters.writeFuture(time: time, frontier: frontier, skewMs: engine.options.maxFutureSkewMs,
                                                location: held.location, sources: sources, raw: $0)
                }
            }
        }
    }

    /// An on-time event to the archive, masked first when the policy applies
    /// after detection: the bytes the workers masked (line `index` of the job).
    @inline(__always)
    private func archiveAppend(_ archive: EventSink, _ masked: ArchiveMaskedLines?, _ index: Int, _ line: UnsafeRawBufferPointer,
                               time: Int64, location: EventLocation) throws {
        if let masked { return try archive.append(masked[index], time: time, location: location) }
        // Every job's `work()` masks its events when the policy applies after
        // detection: a job without masked lines then would leak raw values.
        precondition(context.archiveMasking == nil, "an archived job was not masked on its worker")
        try archive.append(line, time: time, location: location)
    }

    @inline(__always)
    private func location(_ job: ScanJob, _ ref: LineRef) -> EventLocation {
        EventLocation(source: job.source, position: ref.position)
    }

    /// A job's line bytes: as read, or enriched (`--geoip`).
    private struct Storage {
        let read: UnsafeRawBufferPointer
        let geo: GeoIPWorkspace?
    }

    @inline(__always)
    private func raw(_ storage: Storage, _ ref: LineRef) -> UnsafeRawBufferPointer {
        if ref.enrichedStart >= 0, let geo = storage.geo { return geo.bytes(ref.enrichedStart, ref.enrichedLength) }
        return ref.spoolOffset != -1 ? UnsafeRawBufferPointer(start: nil, count: 0)
                      : UnsafeRawBufferPointer(rebasing: storage.read[ref.start..<(ref.start + ref.length)])
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

    /// One line on stderr per rule whose windows `--max-state` dropped (nil when none).
    func evictionLine() -> String? {
        let byRule = engine.evictionsByRule
        guard !byRule.isEmpty else { return nil }
        let total = byRule.reduce(0) { $0 + $1.windows }
        let rules = byRule.map { "\($0.rule): \($0.windows)" }.joined(separator: ", ")
        return "secstream: --max-state \(engine.options.maxStateBytes >> 20) MiB reached: \(total) windows dropped, fewest events first (\(rules)); alerts that needed them may be missing"
    }

    /// One line on stderr for the baseline rules whose learned groups `--max-state` dropped (nil when none).
    func baselineEvictionLine() -> String? {
        let byRule = engine.baselineEvictionsByRule
        guard !byRule.isEmpty else { return nil }
        let total = byRule.reduce(0) { $0 + $1.groups }
        let rules = byRule.map { "\($0.rule): \($0.groups)" }.joined(separator: ", ")
        return "secstream: --max-state \(engine.options.maxStateBytes >> 20) MiB reached: \(total) baseline groups forgotten, least recently scored first (\(rules)); they start a new history"
    }

    /// One line on stderr per new_terms rule whose learned groups `--max-state` dropped (nil when none).
    func newTermsEvictionLine() -> String? {
        let byRule = engine.newTermsEvictionsByRule
        guard !byRule.isEmpty else { return nil }
        let total = byRule.reduce(0) { $0 + $1.groups }
        let rules = byRule.map { "\($0.rule): \($0.groups)" }.joined(separator: ", ")
        return "secstream: --max-state \(engine.options.maxStateBytes >> 20) MiB reached: \(total) new-terms groups forgotten, least recently seen first (\(rules)); their next terms count as new"
    }

    /// One line on stderr: what was read, what was wrong, what was found.
    package func summaryLine() -> String {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let c = engine.counters
        return String(format: "secstream: %d lines (%.1f MB) in %.2fs: %d events, %d malformed, %d late, %d future, %d blank; %d matches, %d alerts",
                      lines, Double(bytes) / 1e6, seconds, c.eventsAdmitted, deadLetters.malformed,
                      deadLetters.late, deadLetters.future, blank, c.matches, alerts.written)
            + (c.evictedWindows > 0 ? "; \(c.evictedWindows) windows dropped under --max-state" : "")
            + (c.newTermsEvictedGroups > 0 ? "; \(c.newTermsEvictedGroups) new-terms groups forgotten under --max-state" : "")
            + (c.newTermsEvictedTerms > 0 ? "; \(c.newTermsEvictedTerms) new terms forgotten past max_terms" : "")
    }
}
