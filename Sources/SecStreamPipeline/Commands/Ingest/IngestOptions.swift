import Metrics
import SecStreamCore

/// What `secstream ingest` was asked to do, as typed values (the CLI parses
/// each flag once); `validate()`, which the runner calls first, checks the
/// rest, so every bad value is one usage error (exit 2) naming its flag.
public struct IngestOptions {
    /// NDJSON inputs: `-` (stdin) or paths, read one after the other. Default: stdin.
    public var inputs: [String] = ["-"]
    /// `--brokers`: the bootstrap brokers.
    public var brokers: KafkaBrokers
    /// `--topic`: the topic produced to.
    public var topic: String
    /// `--key`: dotted field path whose value keys each record (murmur2
    /// partitioning, as the Java client). Default: none, unkeyed.
    public var key: String?
    /// `--compression`: the codec of the produced batches. Default: none.
    public var compression = KafkaCompression.none
    /// `--acks`: who acknowledges a batch. Default: all (idempotent).
    public var acks = KafkaAcks.all
    /// `--create-topic`: create the topic first when it does not exist. Default: false.
    public var createTopic = false
    /// `--partitions`: partitions of a created topic (Kafka's field is 32-bit). Default: 1.
    public var partitions: Int32 = 1
    /// `--replication-factor`: replicas of a created topic (Kafka's field is 16-bit). Default: 1.
    public var replicationFactor: Int16 = 1
    /// `--dead-letter`: where malformed lines go. Default: nil, counted and discarded.
    public var deadLetter: OutputURI?
    /// `--delivery-timeout`: how long a record may wait for its
    /// acknowledgement, retries included. Default: 2m.
    public var deliveryTimeout = defaultDeliveryTimeout
    /// TLS and SASL of the producer (and of a Kafka dead-letter topic).
    public var kafka = KafkaClientOptions()
    /// `--metrics-listen`, `--metrics-file`, `--metrics-interval`, `--metrics-push`. Default: none.
    public var metrics = MetricsSettings()
    /// Print the end-of-run summary on stderr. Default: true.
    public var summary = true
    /// `--progress` (always) / `--quiet` (never): the progress line on stderr.
    /// Default: auto, when stderr is a terminal.
    public var progress = ProgressMode.auto

    public init(brokers: KafkaBrokers, topic: String) {
        self.brokers = brokers
        self.topic = topic
    }

    public static let defaultDeliveryTimeout = TimeSpan.minutes(2)

    /// Checks every setting; the first problem is a usage error naming its flag.
    public func validate() throws {
        try metrics.validate()
        guard !topic.isEmpty else { throw RunError(.usage, "--topic is required") }
        try OptionRange.check(partitions, "--partitions", in: 1...Int32.max)
        try OptionRange.check(replicationFactor, "--replication-factor", in: 1...Int16.max)
        try OptionRange.check(deliveryTimeout, "--delivery-timeout", in: .zero ... .maximum)
    }
}
