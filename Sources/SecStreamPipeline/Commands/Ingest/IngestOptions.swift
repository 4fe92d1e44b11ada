/// What `secstream ingest` was asked to do. Strings are validated by
/// `IngestRunner` so every bad value is one usage error (exit 2).
public struct IngestOptions {
    public var inputs: [String] = ["-"]
    public var brokers = ""
    public var topic = ""
    /// Dotted field path whose value keys each record (murmur2 partitioning).
    public var key: String?
    public var compression = "none"
    public var acks = "all"
    public var createTopic = false
    public var partitions = 1
    public var replicationFactor = 1
    public var deadLetter: String?
    /// How long a record may wait for its acknowledgement, retries included.
    public var deliveryTimeout = "2m"
    public var kafka = KafkaClientOptions()
    /// Print the end-of-run summary on stderr.
    public var summary = true

    public init() {}
}
