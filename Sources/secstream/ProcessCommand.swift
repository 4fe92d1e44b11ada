import ArgumentParser
import SecStreamPipeline

struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Run Sigma detection and correlation rules over files, stdin or Kafka and write alerts."
    )

    @Option(name: .customLong("input"), help: "Input URI: '-', a path (.gz/.lz4/.zst by magic; plain to be followed), or kafka://HOSTS/TOPIC[?group=ID] (repeatable).")
    var inputs: [String] = []
    @OptionGroup var ruleOptions: RuleOptions
    @Option(help: "Also write every valid event to this archive (a directory, file:///dir or s3://bucket/prefix).") var archive: String?
    @Option(name: .customLong("archive-compression"), help: "Archive object compression: lz4 (frame) or gzip.") var archiveCompression: String = "lz4"
    @Option(name: .customLong("archive-flush-bytes"), help: "Cut an archive object at this uncompressed size (e.g. 8MiB).") var archiveFlushBytes: String = "8MiB"
    @Option(name: .customLong("archive-flush-age"), help: "Cut an hour's archive object once the input's event time is this far past the hour (event time).") var archiveFlushAge: String = "10m"
    @Option(name: .customLong("archive-sse"), help: "Server-side encryption for archive objects: AES256 or aws:kms.") var archiveSSE: String?
    @Option(name: .customLong("archive-kms-key-id"), help: "KMS key for --archive-sse aws:kms (default: the bucket's key).") var archiveKMSKeyId: String?
    @Option(name: .customLong("idle-timeout"), help: "A Kafka partition or followed file that delivered nothing for this long stops holding back the watermark.") var idleTimeout: String = "10s"
    @Flag(name: .customLong("from-beginning"), help: "Kafka: start at the earliest offset when the group has none committed.") var fromBeginning = false
    @Option(name: .customLong("until-idle"), help: "Follow the inputs (Kafka, or files like tail -F) and stop after nothing new arrived for this long.") var untilIdle: String?
    @Flag(help: "Follow the inputs (Kafka, or files like tail -F: appends, rotation, truncation) until SIGINT/SIGTERM.") var follow = false
    @Option(name: .customLong("ready-file"), help: "Append one JSON line per readiness event (following a file, caught up, partitions assigned, checkpoint written) to this file.") var readyFile: String?
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
        o.archive = archive; o.archiveCompression = archiveCompression; o.archiveFlushBytes = archiveFlushBytes
        o.archiveFlushAge = archiveFlushAge; o.archiveSSE = archiveSSE; o.archiveKMSKeyId = archiveKMSKeyId
        o.idleTimeout = idleTimeout; o.fromBeginning = fromBeginning
        o.untilIdle = untilIdle; o.follow = follow; o.readyFile = readyFile
        o.sessionTimeout = sessionTimeout; o.commitInterval = commitInterval; o.kafka = kafka.clientOptions
        let code = try ProcessRunner(options: o).run()
        if code != 0 { throw ExitCode(code) }
    }
}
