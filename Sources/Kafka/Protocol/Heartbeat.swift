/// Heartbeat (key 12): keeps a group member alive and learns of rebalances.
public struct HeartbeatRequest: KafkaRequest {
    public typealias Response = SimpleErrorResponse
    public static let apiKey = APIKey.heartbeat
    public static let versions: ClosedRange<Int16> = 1...4
    public static let firstFlexible: Int16 = 4
    public var groupId: String
    public var generationId: Int32
    public var memberId: String
    public init(groupId: String, generationId: Int32, memberId: String) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
    }

    public func encode(_ w: inout WireWriter, version: Int16) {
        let flex = Self.isFlexible(version)
        w.string(groupId, flexible: flex)
        w.int32(generationId)
        w.string(memberId, flexible: flex)
        if version >= 3 { w.nullableString(nil, flexible: flex) }
        w.tags(flex)
    }
}

/// Responses that are just throttle time + error code (Heartbeat; the
/// flexible threshold is passed by version because both use v4).
public struct SimpleErrorResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public init(from r: inout WireReader, version: Int16) {
        _ = r.int32()
        errorCode = ErrorCode(rawValue: r.int16())
        r.skipTags(version >= 4)
    }
}
