import ArgumentParser
import SecStreamKafkaRuntime
import SecStreamPipeline

struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Run Sigma detection and correlation rules over files, stdin or Kafka and write alerts."
    )

    @Option(name: .customLong("input"), help: ArgumentHelp("Input URI: '-', a path (.gz/.lz4/.zst by magic; plain to be followed), or kafka://HOSTS/TOPIC[?group=ID] (repeatable).", valueName: "uri"))
    var inputs: [InputURI] = []
    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var archiveOptions: ArchiveOptions
    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("A Kafka partition or followed file that delivered nothing for this long stops holding back the watermark.", valueName: "duration"))
    var idleTimeout = ProcessOptions().idleTimeout
    @Flag(name: .customLong("from-beginning"), help: "Kafka: start at the earliest offset when the group has none committed.") var fromBeginning = false
    @Option(name: .customLong("until-idle"), help: ArgumentHelp("Follow the inputs (Kafka, or files like tail -F) and stop after nothing new arrived for this long.", valueName: "duration"))
    var untilIdle: TimeSpan?
    @Flag(help: "Follow the inputs (Kafka, or files like tail -F: appends, rotation, truncation) until SIGINT/SIGTERM.") var follow = false
    @Option(name: .customLong("ready-file"), help: "Append one JSON line per readiness event (following a file, caught up, partitions assigned, checkpoint written) to this file.") var readyFile: String?
    @Option(name: .customLong("session-timeout"), help: ArgumentHelp("Kafka consumer group: a member silent this long is removed and its partitions reassigned (1s to 24d).", valueName: "duration"))
    var sessionTimeout = ProcessOptions().sessionTimeout
    @Option(name: .customLong("commit-interval"), help: ArgumentHelp("Kafka consumer group: how often alerts are made durable and offsets committed.", valueName: "duration"))
    var commitInterval = ProcessOptions().commitInterval
    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var metrics: MetricsOptions
    @OptionGroup var progress: ProgressOptions
    @OptionGroup var mask: MaskOptions
    @OptionGroup var model: ModelOptions

    func run() throws {
        var o = ProcessOptions()
        o.progress = progress.mode; o.summary = !progress.quiet
        if !inputs.isEmpty { o.inputs = inputs }
        o.rules = ruleOptions.rulesConfiguration
        o.outputs = ruleOptions.outputsConfiguration
        o.archive = archiveOptions.configuration
        o.idleTimeout = idleTimeout; o.fromBeginning = fromBeginning
        o.untilIdle = untilIdle; o.follow = follow; o.readyFile = readyFile
        o.sessionTimeout = sessionTimeout; o.commitInterval = commitInterval; o.kafka = kafka.clientOptions
        o.metrics = metrics.settings
        o.masking = mask.configuration
        o.model = model.configuration
        let code = try ProcessRunner(options: o).run()
        if code != 0 { throw ExitCode(code) }
    }
}
