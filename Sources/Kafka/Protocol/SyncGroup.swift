/// SyncGroup (key 14): the leader hands out assignments; every member gets its own.
public struct SyncGroupRequest: KafkaRequest {
    public typealias Response = SyncGroupResponse
    public static let api = KafkaAPI(.syncGroup, versions: 1...5, firstFlexible: 4)
    public var member: GroupGeneration
    public var protocolName: String
    public var assignments: [(memberId: String, assignment: [UInt8])]

    public init(groupId: String, generationId: Int32, memberId: String, protocolName: String,
                assignments: [(memberId: String, assignment: [UInt8])]) {
        member = GroupGeneration(groupId: groupId, generationId: generationId, memberId: memberId)
        self.protocolName = protocolName
        self.assignments = assignments
    }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.groupGeneration(member, flexible: flex)
        if version >= 3 { w.nullableString(nil, flexible: flex) } // group_instance_id
        if version >= 5 {
            w.nullableString("consumer", flexible: flex)
            w.nullableString(protocolName, flexible: flex)
        }
        w.array(assignments, flexible: flex) { w, a in
            w.string(a.memberId, flexible: flex)
            w.bytesField(a.assignment, flexible: flex)
        }
        w.tags(flex)
    }
}

public struct SyncGroupResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public var assignment: [UInt8] = []

    public init(from r: inout WireReader, version: Int16) {
        let flex = SyncGroupRequest.isFlexible(version)
        _ = r.int32()
        errorCode = ErrorCode(rawValue: r.int16())
        if version >= 5 {
            _ = r.nullableString(flexible: flex)
            _ = r.nullableString(flexible: flex)
        }
        assignment = r.bytes(flexible: flex)
        r.skipTags(flex)
    }
}
