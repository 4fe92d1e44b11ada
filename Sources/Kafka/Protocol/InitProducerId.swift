/// InitProducerId (key 22): obtains the producer id and epoch for idempotence (KIP-98).
public struct InitProducerIdRequest: KafkaRequest {
    public typealias Response = InitProducerIdResponse
    public static let apiKey = APIKey.initProducerId
    public static let versions: ClosedRange<Int16> = 0...4
    public static let firstFlexible: Int16 = 2
    public init() {}

    public func encode(_ w: inout WireWriter, version: Int16) {
        let flex = Self.isFlexible(version)
        w.nullableString(nil, flexible: flex) // not transactional
        w.int32(60_000)
        if version >= 3 {
            w.int64(-1)
            w.int16(-1)
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
        r.skipTags(version >= 2)
    }
}
