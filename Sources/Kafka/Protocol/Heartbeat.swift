/// Heartbeat (key 12): keeps a group member alive and learns of rebalances.
public struct HeartbeatRequest: KafkaRequest {
    public typealias Response = SimpleErrorResponse
    public static let api = KafkaAPI(.heartbeat, versions: 1...4, firstFlexible: 4)
    public var member: GroupGeneration
    public init(groupId: String, generationId: Int32, memberId: String) {
        member = GroupGeneration(groupId: groupId, generationId: generationId, memberId: memberId)
    }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.groupGeneration(member, flexible: flex)
        if version >= 3 { w.nullableString(nil, flexible: flex) } // group_instance_id
        w.tags(flex)
    }
}

/// Responses that are just throttle time + error code (Heartbeat).
public struct SimpleErrorResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public init(from r: inout WireReader, version: Int16) {
        _ = r.int32()
        errorCode = ErrorCode(rawValue: r.int16())
        r.skipTags(HeartbeatRequest.isFlexible(version))
    }
}
