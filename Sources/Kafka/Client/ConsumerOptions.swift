/// Where a partition starts when the group has no committed offset (or in
/// assign mode without an explicit offset).
public enum StartPosition: Sendable {
    case earliest
    case latest
}

public struct ConsumerOptions: Sendable {
    /// Fallback position when nothing is committed.
    public var startPosition: StartPosition = .earliest
    public var maxWaitMs: Int32 = 500
    public var minBytes: Int32 = 1
    public var maxBytes: Int32 = 64 << 20
    /// Per partition per fetch; a larger first batch is still returned whole.
    public var partitionMaxBytes: Int32 = 8 << 20
    public var sessionTimeoutMs: Int32 = 10_000
    public var rebalanceTimeoutMs: Int32 = 30_000
    public var heartbeatIntervalMs: Int = 3_000
    /// Offered to the group in preference order. Rebalancing is cooperative
    /// only when every offered assignor is cooperative (as in the Java client).
    public var assignors: [GroupAssignor] = [.cooperativeSticky]
    /// Send the next fetch before `poll` returns, overlapping broker latency
    /// with the caller's processing.
    public var prefetch = true
    /// Whether a fetch waits up to `maxWaitMs` for new records when every
    /// assigned partition has reached its high watermark. A consumer that
    /// follows a topic wants that (a long poll); a bounded read that ends once
    /// caught up (`KafkaConsumer.isCaughtUp`) turns it off: its last fetch
    /// only confirms the end, and the broker may answer it at once.
    public var waitsAtEnd = true

    public init(startPosition: StartPosition = .earliest, maxWaitMs: Int32 = 500, sessionTimeoutMs: Int32 = 10_000,
                heartbeatIntervalMs: Int = 3_000, assignors: [GroupAssignor] = [.cooperativeSticky]) {
        self.startPosition = startPosition
        self.maxWaitMs = maxWaitMs
        self.sessionTimeoutMs = sessionTimeoutMs
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.assignors = assignors
    }
}
