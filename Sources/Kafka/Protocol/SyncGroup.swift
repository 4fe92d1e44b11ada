/// SyncGroup (key 14): the leader hands out assignments; every member gets its own.
public struct SyncGroupRequest: KafkaRequest {
    public typealias Response = SyncGroupResponse
    public static let apiKey = APIKey.syncGroup
    public static let versions: ClosedRange<Int16> = 1...5
    public static let firstFlexible: Int16 = 4
    public var groupId: String
    public var generationId: Int32
    public var memberId: String
    public var protocolName: String
    public var assignments: [(memberId: String, assignment: [UInt8])]

    public init(groupId: String, generationId: Int32, memberId: String, protocolName: String,
                assignments: [(memberId: String, assignment: [UInt8])]) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.protocolName = protocolName
        self.assignments = assignments
    }

    public func encode(_ w: inout WireWriter, version: Int16) {
        let flex = Self.isFlexible(version)
        w.string(groupId, flexible: flex)
        w.int32(generationId)
        w.string(memberId, flexible: flex)
        if version >= 3 { w.nullableString(nil, flexible: flex) }
        if version >= 5 {
            w.nullableString("consumer", flexible: flex)
            w.nullableString(protocolName, flexible: flex)
        }
        w.arrayLength(assignments.count, flexible: flex)
        for a in assignments {
            w.string(a.memberId, flexible: flex)
            w.bytesField(a.assignment, flexible: flex)
            w.tags(flex)
        }
        w.tags(flex)
    }
}

public struct SyncGroupResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public var assignment: [UInt8] = []

    public init(from r: inout WireReader, version: Int16) {
        let flex = version >= 4
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
