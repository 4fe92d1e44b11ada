/// One record that could not be delivered.
public struct DeliveryFailure: Sendable, CustomStringConvertible {
    /// The record's position in send order (0-based), so the caller can find it.
    public var sendIndex: Int
    public var topic: String
    public var partition: Int32
    public var error: String
    public var description: String { "record #\(sendIndex) to \(topic)/\(partition): \(error)" }
}

/// Delivery accounting: every sent record ends up acked or failed.
public struct DeliveryStats: Sendable {
    public var sent = 0
    public var acked = 0
    public var failed = 0
    /// The first failures (capped at 1000), with their errors.
    public var failures: [DeliveryFailure] = []
    public var pending: Int { sent - acked - failed }
}
