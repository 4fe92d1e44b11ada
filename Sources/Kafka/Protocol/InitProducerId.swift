/// InitProducerId (key 22): obtains the producer id and epoch for idempotence (KIP-98).
/// From v3 (KIP-360) a producer may name its current id and epoch to have
/// the epoch bumped instead of getting a fresh id; older versions ignore them.
public struct InitProducerIdRequest: KafkaRequest {
    public typealias Response = InitProducerIdResponse
    public static let api = KafkaAPI(.initProducerId, versions: 0...4, firstFlexible: 2)
    /// The id and epoch to bump (v3+); -1 asks for a new producer id.
    public var producerId: Int64
    public var producerEpoch: Int16
    public init(producerId: Int64 = -1, producerEpoch: Int16 = -1) {
        self.producerId = producerId
        self.producerEpoch = producerEpoch
    }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.nullableString(nil, flexible: flex) // not transactional
        w.int32(60_000)
        if version >= 3 {
            w.int64(producerId)
            w.int16(producerEpoch)
        }
        w.tags(flex)
    }
}

public struct InitProducerIdResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public var producerId: Int64 = -1
    public var producerEpoch: Int16 = -1
    public init(from r: inout WireReader, version: Int16) {
        _ = r.int32()
        errorCode = ErrorCode(rawValue: r.int16())
        producerId = r.int64()
        producerEpoch = r.int16()
        r.skipTags(InitProducerIdRequest.isFlexible(version))
    }
}
