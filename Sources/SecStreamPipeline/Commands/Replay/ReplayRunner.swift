import SecStreamArchive
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
        try options.validate()
        let from = options.from?.milliseconds
        let to = options.to?.milliseconds
        let metrics = try RunMetrics.start(options.metrics)
        defer { metrics?.stop() }
        let rules = try RuleSetFactory.load(options.rules, summary: options.summary, allowNoRules: options.model.path != nil)
        let geoip = try GeoIPEnricher.open(options.rules, rules: rules)
        let model = try ModelScoring.load(options.model)
        let store = try ArchiveStoreErrors.openExisting(options.archive, flag: "replay")
        let objects: [ArchiveObject]
        do { objects = try ArchiveListing.objects(in: store, from: from, to: to) } catch {
            throw ArchiveStoreErrors.runError(error, doing: "listing \(store.location)")
        }
        let sources = SourceTable()
        let progress = ProgressLine("replay", unit: .objects, mode: options.summary ? options.progress : .never)
        let pipeline = EventPipeline(
            rules: rules, engineOptions: EngineOptions(options.rules, idleTimeout: .zero),
            sources: sources, alerts: try AlertWriter(outputs: options.outputs, rules: rules, kafka: options.kafka),
            deadLetters: try DeadLetterWriter(uri: options.outputs.deadLetter, kafka: options.kafka), archive: nil,
            threads: options.rules.threads, geoip: geoip)
        pipeline.masking = try PipelineMasking(options.masking)
        if let path = options.rules.baseline {
            try LearnedStateFile.load(path, into: pipeline.engine, flag: "--baseline", quiet: !options.summary)
        }
        pipeline.windowFeatures = try ModelScoring.features(model, options.model, alerts: pipeline.alerts, sources: sources,
                                                            rules: rules)
        pipeline.metrics = metrics.map { PipelineMetrics(registry: $0.registry, input: "archive") }
        let source = ArchiveReplaySource(store: store, objects: objects, sources: sources, timeField: rules.schema.paths[rules.timeField],
                                  epochUnit: rules.epochUnit,
                                  from: from, to: to, speed: options.speed.factor, parallelism: max(1, options.parallelism),
                                  progress: progress,
                                  keyring: try options.keyring.map { try ArchiveKeyring.load(path: $0, flag: "--keyring") })
        pipeline.progress = progress
        try pipeline.run(source)
        try pipeline.finish()
        if let path = options.learnedStateOutput ?? options.rules.baseline {
            try LearnedStateFile.save(pipeline.engine, to: path, flag: options.learnedStateOutput != nil ? "-o" : "--baseline")
        }
        try metrics?.finish()
        if options.summary {
            ArchiveMessages.say("\(options.learnedStateOutput != nil ? "baseline build" : "replay"): \(objects.count) objects (\(source.corrupt) corrupt, skipped); "
                + pipeline.summaryLine().dropFirst("secstream: ".count))
        }
        if source.corrupt > 0 { return RunError.Kind.input.rawValue }
        return options.outputs.failOnAlert && pipeline.alerts.written > 0 ? exitFindings : 0
    }
}
