import Codecs
import Foundation
import SecStreamCore

/// `secstream process`: chooses the sources and sinks the options name and
/// runs them through the shared `EventPipeline`.
public final class ProcessRunner {
    public let options: ProcessOptions

    public init(options: ProcessOptions) { self.options = options }

    /// Returns the exit code (0, or 1 with --fail-on-alert and alerts written).
    public func run() throws -> Int32 {
        let latenessMs = try OptionParsing.duration(options.lateness, flag: "--lateness")
        let idleMs = try OptionParsing.duration(options.idleTimeout, flag: "--idle-timeout")
        let engineOptions = try EngineOptions(options, latenessMs: latenessMs, idleTimeoutMs: idleMs)
        for input in options.inputs where input.hasPrefix("s3://") {
            throw RunError(.usage, "--input \(input): an archive is read with `secstream replay \(input)`")
        }
        if let kafka = options.inputs.first(where: KafkaURI.isKafka) {
            guard options.inputs.count == 1 else {
                throw RunError(.usage, "--input \(kafka): a Kafka input cannot be mixed with other inputs")
            }
            let uri = try KafkaURI.input(kafka)
            return try KafkaProcessRunner(options: options, uri: uri, engineOptions: engineOptions,
                                          ready: try readinessReporter()).run()
        }
        let archiveOptions = try options.archive.map { _ in try ArchiveWriterOptions(options) }
        let rules = try RuleSetFactory.load(options)
        let sources = SourceTable()
        let archive = try options.archive.map { uri in
            ArchiveWriter(store: try ArchiveStoreErrors.open(uri, flag: "--archive"), options: archiveOptions!, sources: sources)
        }
        let pipeline = EventPipeline(
            rules: rules, engineOptions: engineOptions,
            sources: sources, alerts: try AlertWriter(uri: options.alerts, kafka: options.kafka),
            deadLetters: try DeadLetterWriter(uri: options.deadLetter, kafka: options.kafka), archive: archive, threads: options.threads)
        if let follow = try followSource(sources: sources) {
            try pipeline.run(follow.source, checkpoint: FileFollowCheckpoint(alerts: pipeline.alerts, deadLetters: pipeline.deadLetters),
                             ready: follow.ready)
        } else {
            try pipeline.run(FileLineSource(inputs: options.inputs, sources: sources))
        }
        try pipeline.finish()
        if options.summary {
            FileHandle.standardError.write(Data((pipeline.summaryLine() + "\n").utf8))
            if let archive { ArchiveMessages.say(archive.summaryLine()) }
        }
        return options.failOnAlert && pipeline.alerts.written > 0 ? exitFindings : 0
    }

    /// Without `--follow` or `--until-idle`, nil: the files (or stdin) are
    /// read one after the other as one input. With them, the files followed
    /// together, each its own input. Stdin alone is a stream already: it runs
    /// to its end either way (nil).
    private func followSource(sources: SourceTable) throws -> (source: FileFollowSource, ready: ReadinessReporter?)? {
        let following = options.follow || options.untilIdle != nil
        guard following && options.inputs != ["-"] else { return nil }
        let flag = options.follow ? "--follow" : "--until-idle"
        if options.inputs.contains("-") {
            throw RunError(.usage, "\(flag): stdin (-) cannot be followed together with files; follow the files, or pipe everything into stdin")
        }
        for input in options.inputs where CompressionCodec.fromExtension(path: input) != .none {
            throw RunError(.usage, "\(input): compressed input cannot be followed (\(flag)); only plain NDJSON files can")
        }
        let untilIdleMs = try options.untilIdle.map { try OptionParsing.duration($0, flag: "--until-idle") }
        StopSignal.install()
        let ready = try readinessReporter()
        let source = try FileFollowSource(paths: options.inputs, sources: sources, untilIdleMs: untilIdleMs,
                                          ready: ready, shouldStop: { StopSignal.isRaised })
        return (source, ready)
    }

    /// `--ready-file`, opened once the options are known to be valid.
    private func readinessReporter() throws -> ReadinessReporter? {
        try options.readyFile.map { try ReadinessReporter(path: $0) }
    }
}
