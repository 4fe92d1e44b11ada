import ArgumentParser
import SecStreamPipeline

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Produce NDJSON lines (stdin or files) to a Kafka topic, one record per line."
    )

    @Option(help: "Bootstrap brokers: host:port[,host:port...].") var brokers: String
    @Option(help: "Topic to produce to.") var topic: String
    @Option(help: "Field whose value keys each record (e.g. source.ip); murmur2-partitioned like the Java client.") var key: String?
    @Option(help: "Batch compression: none, gzip, snappy, lz4 or zstd (zstd needs Kafka 2.1+).") var compression: String = "none"
    @Option(help: "Acknowledgement: all (idempotent), 1 or 0.") var acks: String = "all"
    @Flag(name: .customLong("create-topic"), help: "Create the topic first when it does not exist.") var createTopic = false
    @Option(help: "Partitions of a created topic.") var partitions: Int = 1
    @Option(name: .customLong("replication-factor"), help: "Replication factor of a created topic.") var replicationFactor: Int = 1
    @Option(name: .customLong("dead-letter"), help: "Where malformed lines go: a path or kafka://HOSTS/TOPIC (default: discarded after counting).") var deadLetter: String?
    @Option(name: .customLong("delivery-timeout"), help: "Give up on a record not acknowledged within this time, retries included.") var deliveryTimeout: String = "2m"
    @OptionGroup var kafka: KafkaOptions
    @Argument(help: "NDJSON inputs: '-' (stdin) or paths (.gz/.lz4/.zst by magic bytes).") var inputs: [String] = []

    func run() throws {
        var o = IngestOptions()
        if !inputs.isEmpty { o.inputs = inputs }
        o.brokers = brokers; o.topic = topic; o.key = key; o.compression = compression; o.acks = acks
        o.createTopic = createTopic; o.partitions = partitions; o.replicationFactor = replicationFactor
        o.deadLetter = deadLetter; o.deliveryTimeout = deliveryTimeout; o.kafka = kafka.clientOptions
        let code = try IngestRunner(options: o).run()
        if code != 0 { throw ExitCode(code) }
    }
}
