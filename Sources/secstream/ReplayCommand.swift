import ArgumentParser
import SecStreamPipeline

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run archived events through the rules, in event-time order (the live run's alerts, same alert_ids).",
        discussion: "Reads only the dt=/hour= partitions that overlap [--from, --to). See secstream-replay(1)."
    )

    @Argument(help: "The archive: a directory, file:///dir or s3://bucket/prefix.") var archive: String
    @Option(help: "First event time to replay (inclusive; RFC 3339, a date, or epoch ms).") var from: String?
    @Option(help: "Event time to stop before (exclusive).") var to: String?
    @Option(help: "Pace by event time: a factor (10 = ten times faster than it happened) or 'max' (no pacing).") var speed: String = "max"
    @Option(help: "Archive objects fetched and decompressed at once.") var parallelism: Int = 4
    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var kafka: KafkaOptions

    func run() throws {
        var o = ReplayOptions()
        o.archive = archive; o.from = from; o.to = to; o.speed = speed; o.parallelism = parallelism
        ruleOptions.apply(to: &o.rules)
        o.rules.kafka = kafka.clientOptions
        let code = try ReplayRunner(options: o).run()
        if code != 0 { throw ExitCode(code) }
    }
}
