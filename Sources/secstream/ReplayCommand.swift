import ArgumentParser
import SecStreamPipeline

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run archived events through the rules, in event-time order (the live run's alerts, same alert_ids).",
        discussion: "Reads only the dt=/hour= partitions that overlap [--from, --to). See secstream-replay(1)."
    )

    @OptionGroup var range: ArchiveRangeOptions
    @Option(help: ArgumentHelp("Pace by event time: a factor (10 = ten times faster than it happened, at least 0.001) or 'max' (no pacing).", valueName: "factor|max"))
    var speed = ReplaySpeed.max
    @Option(help: "Archive objects fetched and decompressed at once (at most 1024).")
    var parallelism = 4
    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var metrics: MetricsOptions
    @OptionGroup var progress: ProgressOptions
    @OptionGroup var mask: MaskOptions
    @OptionGroup var model: ModelOptions

    func run() throws {
        var o = ReplayOptions(archive: range.archive)
        o.progress = progress.mode; o.summary = !progress.quiet
        o.from = range.from; o.to = range.to; o.keyring = range.keyring; o.speed = speed; o.parallelism = parallelism
        o.rules = ruleOptions.rulesConfiguration
        o.outputs = ruleOptions.outputsConfiguration
        o.kafka = kafka.clientOptions
        o.metrics = metrics.settings
        o.masking = mask.configuration
        o.model = model.configuration
        let code = try ReplayRunner(options: o).run()
        if code != 0 { throw ExitCode(code) }
    }
}
