import ArgumentParser
import SecStreamPipeline

struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Run Sigma detection and correlation rules over files, stdin or Kafka and write alerts."
    )

    @Option(name: .customLong("input"), help: "Input URI: '-', a path (.gz/.lz4 by magic), or kafka://HOSTS/TOPIC[?group=ID] (repeatable).")
    var inputs: [String] = []
    @OptionGroup var ruleOptions: RuleOptions
    @Option(help: "Also write every valid event to this archive (a directory, file:///dir or s3://bucket/prefix).") var archive: String?
    @Option(name: .customLong("idle-timeout"), help: "A Kafka partition idle this long stops holding back the watermark.") var idleTimeout: String = "10s"
    @Flag(name: .customLong("from-beginning"), help: "Kafka: start at the earliest offset when the group has none committed.") var fromBeginning = false
    @Option(name: .customLong("until-idle"), help: "Kafka: stop after no record arrived for this long.") var untilIdle: String?
    @Flag(help: "Kafka: keep running until interrupted.") var follow = false
    @Option(name: .customLong("session-timeout"), help: "Kafka consumer group: a member silent this long is removed and its partitions reassigned.") var sessionTimeout: String = "10s"
    @Option(name: .customLong("commit-interval"), help: "Kafka consumer group: how often alerts are made durable and offsets committed.") var commitInterval: String = "1s"
    @OptionGroup var kafka: KafkaOptions

    func validate() throws {
        if untilIdle != nil && follow { throw ValidationError("--until-idle and --follow are exclusive") }
    }

    func run() throws {
        var o = ProcessOptions()
        if !inputs.isEmpty { o.inputs = inputs }
        ruleOptions.apply(to: &o)
        o.archive = archive; o.idleTimeout = idleTimeout; o.fromBeginning = fromBeginning
        o.untilIdle = untilIdle; o.follow = follow
        o.sessionTimeout = sessionTimeout; o.commitInterval = commitInterval; o.kafka = kafka.clientOptions
        let code = try ProcessRunner(options: o).run()
        if code != 0 { throw ExitCode(code) }
    }
}
