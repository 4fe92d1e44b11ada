/// Producer tuning. Defaults follow the Java client where it matters for
/// correctness (acks=all, idempotence on, 5 in flight).
public struct ProducerOptions: Sendable {
    /// -1 = all in-sync replicas, 1 = leader only, 0 = no acknowledgement.
    public var acks: Int16 = -1
    public var compression: RecordCompression = .none
    /// Codec level (gzip 1–9, lz4 0–12, zstd 1–22; snappy has none); nil uses the codec default.
    /// gzip at level 1 is several times faster than the default and still small (KIP-390).
    public var compressionLevel: Int?
    /// How long a partially filled batch waits for more records.
    public var lingerMs: Int = 5
    /// A batch is sent once its uncompressed size reaches this.
    public var batchBytes: Int = 1 << 20
    public var idempotent: Bool = true
    /// Produce requests in flight per broker connection.
    public var maxInFlight: Int = 5
    public var retries: Int = 10
    public var retryBackoffMs: Int = 100
    public var retryBackoffMaxMs: Int = 1000
    /// A record not acknowledged within this time fails.
    public var deliveryTimeoutMs: Int = 120_000
    /// `send` blocks while this many bytes are buffered (backpressure).
    public var bufferBytes: Int = 64 << 20
    /// Let Metadata create unknown topics (brokers with auto-create enabled).
    public var allowAutoTopicCreation: Bool = false
    public var requestTimeoutMs: Int32 = 30_000

    public init(acks: Int16 = -1, compression: RecordCompression = .none, lingerMs: Int = 5, batchBytes: Int = 1 << 20,
                idempotent: Bool = true, maxInFlight: Int = 5, retries: Int = 10, retryBackoffMs: Int = 100) {
        self.acks = acks
        self.compression = compression
        self.lingerMs = lingerMs
        self.batchBytes = batchBytes
        self.idempotent = idempotent
        self.maxInFlight = maxInFlight
        self.retries = retries
        self.retryBackoffMs = retryBackoffMs
    }
}
