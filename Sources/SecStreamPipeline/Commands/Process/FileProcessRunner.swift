import SecStreamArchive
import Codecs
import Foundation
import Metrics
import SecStreamCore

/// `secstream process` over files or stdin (read once, or followed like
/// tail -F): chooses the sources and sinks the options name and runs them
/// through the shared `EventPipeline`. Kafka inputs run in
/// `SecStreamKafkaRuntime` (`KafkaProcessRunner`); the `process` entry there
/// (`ProcessRunner`) validates the options and picks one of the two.
package final class FileProcessRunner {
    private let options: ProcessOptions
    private let engineOptions: EngineOptions
    private let metrics: RunMetrics?

    /// `options` validated already; `metrics` started by the caller, which finishes it.
    package init(options: ProcessOptions, engineOptions: EngineOptions, metrics: RunMetrics? = nil) {
        self.options = options
        self.engineOptions = engineOptions
        self.metrics = metrics
    }

    /// Returns the exit code (0, or 1 with --fail-on-alert and alerts written).
    package func run() throws -> Int32 {
        let archiveOptions = try options.archive.map { try ArchiveWriterOptions($0) }
        let rules = try RuleSetFactory.load(options)
        let model = try ModelScoring.load(options.model)
        let geoip = try GeoIPEnricher.open(options.rules, rules: rules)
        let sources = SourceTable()
        let archive = try options.archive.map { config in
            ArchiveWriter(store: try ArchiveStoreErrors.open(config.uri, flag: "--archive"), options: archiveOptions!, sources: sources)
        }
        let pipeline = EventPipeline(
            rules: rules, engineOptions: engineOptions,
            sources: sources, alerts: try AlertWriter(outputs: options.outputs, rules: rules, kafka: options.kafka),
            deadLetters: try DeadLetterWriter(uri: options.outputs.deadLetter, kafka: options.kafka), archive: archive,
            threads: options.rules.threads, geoip: geoip)
        pipeline.masking = try PipelineMasking(options.masking)
        if let path = options.rules.baseline { try LearnedStateFile.load(path, into: pipeline.engine, flag: "--baseline") }
        pipeline.windowFeatures = try ModelScoring.features(model, options.model, alerts: pipeline.alerts, sources: sources,
                                                            rules: rules)
        pipeline.metrics = metrics.map { PipelineMetrics(registry: $0.registry, input: options.inputs == [.stdin] ? "stdin" : "file") }
        if let follow = try followSource(sources: sources) {
            try pipeline.run(follow.source, checkpoint: FileFollowCheckpoint(alerts: pipeline.alerts, deadLetters: pipeline.deadLetters),
                             ready: follow.ready)
        } else {
            // A progress line for reading files once, not for following them (no end to measure against).
            let progress = ProgressLine("process", unit: .bytes, mode: options.summary ? options.progress : .never)
            pipeline.progress = progress
            try pipeline.run(FileLineSource(inputs: options.inputs.compactMap(\.path), sources: sources,
                                            timeField: rules.schema.paths[rules.timeField], epochUnit: rules.epochUnit,
                                            progress: progress))
        }
        try pipeline.finish()
        if let path = options.rules.baseline { try LearnedStateFile.save(pipeline.engine, to: path, flag: "--baseline") }
        if options.summary {
            FileHandle.standardError.write(Data((pipeline.summaryLine() + "\n").utf8))
            if let archive { ArchiveMessages.say(archive.summaryLine()) }
        }
        return options.outputs.failOnAlert && pipeline.alerts.written > 0 ? exitFindings : 0
    }

    /// Without `--follow` or `--until-idle`, nil: the files (or stdin) are
    /// read to their ends, merged by event time (`FileLineSource`). With them,
    /// the files followed together, each its own input. Stdin alone is a
    /// stream already: it runs to its end either way (nil).
    private func followSource(sources: SourceTable) throws -> (source: FileFollowSource, ready: ReadinessReporter?)? {
        let following = options.follow || options.untilIdle != nil
        let paths = options.inputs.compactMap(\.path)
        guard following && options.inputs != [.stdin] else { return nil }
        let flag = options.follow ? "--follow" : "--until-idle"
        if options.inputs.contains(.stdin) {
            throw RunError(.usage, "\(flag): stdin (-) cannot be followed together with files; follow the files, or pipe everything into stdin")
        }
        for input in paths where CompressionCodec.fromExtension(path: input) != .none {
            throw RunError(.usage, "\(input): compressed input cannot be followed (\(flag)); only plain NDJSON files can")
        }
        let untilIdleMs = options.untilIdle?.milliseconds
        StopSignal.install()
        let ready = try readinessReporter()
        let source = try FileFollowSource(paths: paths, sources: sources, untilIdleMs: untilIdleMs,
                                          ready: ready, shouldStop: { StopSignal.isRaised })
        return (source, ready)
    }

    /// `--ready-file`, opened once the options are known to be valid.
    private func readinessReporter() throws -> ReadinessReporter? {
        try options.readyFile.map { try ReadinessReporter(path: $0) }
    }
}
