/// JoinGroup (key 11): enter a consumer group and (for the leader) learn every
/// member's subscription.
public struct JoinGroupRequest: KafkaRequest {
    public typealias Response = JoinGroupResponse
    public static let api = KafkaAPI(.joinGroup, versions: 2...7, firstFlexible: 6)
    public var groupId: String
    public var sessionTimeoutMs: Int32
    public var rebalanceTimeoutMs: Int32
    public var memberId: String
    public var protocolType = "consumer"
    /// (assignor name, subscription metadata), in preference order.
    public var protocols: [(name: String, metadata: [UInt8])]

    public init(groupId: String, sessionTimeoutMs: Int32, rebalanceTimeoutMs: Int32, memberId: String,
                protocols: [(name: String, metadata: [UInt8])]) {
        self.groupId = groupId
        self.sessionTimeoutMs = sessionTimeoutMs
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.memberId = memberId
        self.protocols = protocols
    }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.string(groupId, flexible: flex)
        w.int32(sessionTimeoutMs)
        w.int32(rebalanceTimeoutMs)
        w.string(memberId, flexible: flex)
        if version >= 5 { w.nullableString(nil, flexible: flex) } // no static membership
        w.string(protocolType, flexible: flex)
        w.array(protocols, flexible: flex) { w, p in
            w.string(p.name, flexible: flex)
            w.bytesField(p.metadata, flexible: flex)
        }
        w.tags(flex)
    }
}

public struct JoinGroupResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public var generationId: Int32 = -1
    public var protocolName: String?
    public var leader = ""
    public var memberId = ""
    public var members: [(memberId: String, metadata: [UInt8])] = []

    public init(from r: inout WireReader, version: Int16) {
        let flex = JoinGroupRequest.isFlexible(version)
        _ = r.int32()
        errorCode = ErrorCode(rawValue: r.int16())
        generationId = r.int32()
        if version >= 7 { _ = r.nullableString(flexible: flex) } // protocol type
        protocolName = r.nullableString(flexible: flex)
        leader = r.string(flexible: flex)
        memberId = r.string(flexible: flex)
        r.array(flexible: flex) { r in
            let id = r.string(flexible: flex)
            if version >= 5 { _ = r.nullableString(flexible: flex) } // group_instance_id
            members.append((id, r.bytes(flexible: flex)))
        }
        r.skipTags(flex)
    }
}
