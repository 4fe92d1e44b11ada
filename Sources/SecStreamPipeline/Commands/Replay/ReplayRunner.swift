import Foundation
import ObjectStore
import SecStreamCore

/// `secstream replay`: re-runs archived events through the same
/// `EventPipeline` as `process`, in event-time order (see `ArchiveReplaySource`),
/// so the alerts are the live run's, `alert_id` for `alert_id`.
public final class ReplayRunner {
    public let options: ReplayOptions

    public init(options: ReplayOptions) { self.options = options }

    /// Returns the exit code: 0; 1 with --fail-on-alert and alerts written;
    /// 3 when objects were skipped as corrupt (after replaying the rest).
    public func run() throws -> Int32 {
        let o = options.rules
        let latenessMs = try OptionParsing.duration(o.lateness, flag: "--lateness")
        let from = try options.from.map { try OptionParsing.time($0, flag: "--from") }
        let to = try options.to.map { try OptionParsing.time($0, flag: "--to") }
        if let from, let to, from >= to { throw RunError(.usage, "--from must be before --to (the range is [from, to))") }
        let speed: Double?
        if options.speed.lowercased() == "max" {
            speed = nil
        } else {
            guard let factor = Double(options.speed), factor > 0, factor.isFinite else {
                throw RunError(.usage, "--speed: '\(options.speed)' is not a positive factor or 'max'")
            }
            speed = factor
        }
        let rules = try RuleSetFactory.load(o)
        let store = try ArchiveStoreErrors.openExisting(options.archive, flag: "replay")
        let objects: [ArchiveObject]
        do { objects = try ArchiveListing.objects(in: store, from: from, to: to) } catch {
            throw ArchiveStoreErrors.runError(error, doing: "listing \(store.location)")
        }
        let sources = SourceTable()
        let pipeline = EventPipeline(
            rules: rules, engineOptions: try EngineOptions(o, latenessMs: latenessMs, idleTimeoutMs: 0),
            sources: sources, alerts: try AlertWriter(uri: o.alerts, kafka: o.kafka),
            deadLetters: try DeadLetterWriter(uri: o.deadLetter, kafka: o.kafka), archive: nil, threads: o.threads)
        let source = ArchiveReplaySource(store: store, objects: objects, sources: sources, timeField: rules.schema.paths[rules.timeField],
                                  epochUnit: rules.epochUnit,
                                  from: from, to: to, speed: speed, parallelism: max(1, options.parallelism))
        try pipeline.run(source)
        try pipeline.finish()
        if o.summary {
            ArchiveMessages.say("replay: \(objects.count) objects (\(source.corrupt) corrupt, skipped); "
                + pipeline.summaryLine().dropFirst("secstream: ".count))
        }
        if source.corrupt > 0 { return RunError.Kind.input.rawValue }
        return o.failOnAlert && pipeline.alerts.written > 0 ? exitFindings : 0
    }
}
