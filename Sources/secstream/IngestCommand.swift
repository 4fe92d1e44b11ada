import ArgumentParser
import SecStreamPipeline

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Produce NDJSON lines (stdin or files) to a Kafka topic, one record per line."
    )

    @Option(help: ArgumentHelp("Bootstrap brokers: host:port[,host:port...].", valueName: "host:port,..."))
    var brokers: KafkaBrokers
    @Option(help: "Topic to produce to.") var topic: String
    @Option(help: "Field whose value keys each record (e.g. source.ip); murmur2-partitioned like the Java client.") var key: String?
    @Option(help: "Batch compression (zstd needs Kafka 2.1+).") var compression = KafkaCompression.none
    @Option(help: "Acknowledgement: all (idempotent; also -1), 1 or 0.") var acks = KafkaAcks.all
    @Flag(name: .customLong("create-topic"), help: "Create the topic first when it does not exist.") var createTopic = false
    @Option(help: "Partitions of a created topic (1 to 2147483647).") var partitions: Int = 1
    @Option(name: .customLong("replication-factor"), help: "Replication factor of a created topic (1 to 32767).") var replicationFactor: Int = 1
    @Option(name: .customLong("dead-letter"), help: ArgumentHelp("Where malformed lines go: a path or kafka://HOSTS/TOPIC (default: discarded after counting).", valueName: "uri"))
    var deadLetter: OutputURI?
    @Option(name: .customLong("delivery-timeout"), help: ArgumentHelp("Give up on a record not acknowledged within this time, retries included.", valueName: "duration"))
    var deliveryTimeout = IngestOptions.defaultDeliveryTimeout
    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var metrics: MetricsOptions
    @Argument(help: "NDJSON inputs: '-' (stdin) or paths (.gz/.lz4/.zst by magic bytes).") var inputs: [String] = []

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        var o = IngestOptions(brokers: brokers, topic: topic)
        o.progress = progress.mode; o.summary = !progress.quiet
        if !inputs.isEmpty { o.inputs = inputs }
        o.key = key; o.compression = compression; o.acks = acks; o.createTopic = createTopic
        // Kafka's CreateTopics fields are 32- and 16-bit: checked here, before narrowing.
        o.partitions = try OptionRange.narrow(partitions, to: Int32.self, "--partitions", in: 1...Int32.max,
                                              because: "Kafka's partition count is a 32-bit field")
        o.replicationFactor = try OptionRange.narrow(replicationFactor, to: Int16.self, "--replication-factor", in: 1...Int16.max,
                                                     because: "Kafka's replication factor is a 16-bit field")
        o.deadLetter = deadLetter; o.deliveryTimeout = deliveryTimeout; o.kafka = kafka.clientOptions
        o.metrics = metrics.settings
        let code = try IngestRunner(options: o).run()
        if code != 0 { throw ExitCode(code) }
    }
}
