/// LeaveGroup (key 13): leave promptly so the group rebalances without
/// waiting for the session timeout.
public struct LeaveGroupRequest: KafkaRequest {
    public typealias Response = LeaveGroupResponse
    public static let api = KafkaAPI(.leaveGroup, versions: 1...4, firstFlexible: 4)
    public var groupId: String
    public var memberId: String
    public init(groupId: String, memberId: String) {
        self.groupId = groupId
        self.memberId = memberId
    }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.string(groupId, flexible: flex)
        if version >= 3 {
            w.arrayLength(1, flexible: flex)
            w.string(memberId, flexible: flex)
            w.nullableString(nil, flexible: flex)
            w.tags(flex)
        } else {
            w.string(memberId, flexible: flex)
        }
        w.tags(flex)
    }
}

public struct LeaveGroupResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public init(from r: inout WireReader, version: Int16) {
        let flex = LeaveGroupRequest.isFlexible(version)
        _ = r.int32()
        errorCode = ErrorCode(rawValue: r.int16())
        if version >= 3 {
            r.array(flexible: flex) { r in // members
                _ = r.string(flexible: flex)
                _ = r.nullableString(flexible: flex)
                let e = ErrorCode(rawValue: r.int16())
                if errorCode == .none { errorCode = e }
            }
        }
        r.skipTags(flex)
    }
}
