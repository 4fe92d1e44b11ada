/// A Kafka UUID (topic ids, 16 raw bytes on the wire).
public struct KafkaUUID: Hashable, Sendable {
    public var bytes: [UInt8]
    public init(bytes: [UInt8] = [UInt8](repeating: 0, count: 16)) { self.bytes = bytes }
    public static let zero = KafkaUUID()
}
