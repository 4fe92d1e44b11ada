/// JoinGroup (key 11): enter a consumer group and (for the leader) learn every
/// member's subscription.
public struct JoinGroupRequest: KafkaRequest {
    public typealias Response = JoinGroupResponse
    public static let apiKey = APIKey.joinGroup
    public static let versions: ClosedRange<Int16> = 2...7
    public static let firstFlexible: Int16 = 6
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

    public func encode(_ w: inout WireWriter, version: Int16) {
        let flex = Self.isFlexible(version)
        w.string(groupId, flexible: flex)
        w.int32(sessionTimeoutMs)
        w.int32(rebalanceTimeoutMs)
        w.string(memberId, flexible: flex)
        if version >= 5 { w.nullableString(nil, flexible: flex) } // no static membership
        w.string(protocolType, flexible: flex)
        w.arrayLength(protocols.count, flexible: flex)
        for p in protocols {
            w.string(p.name, flexible: flex)
            w.bytesField(p.metadata, flexible: flex)
            w.tags(flex)
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
        let flex = version >= 6
        _ = r.int32()
        errorCode = ErrorCode(rawValue: r.int16())
        generationId = r.int32()
        if version >= 7 { _ = r.nullableString(flexible: flex) } // protocol type
        protocolName = r.nullableString(flexible: flex)
        leader = r.string(flexible: flex)
        memberId = r.string(flexible: flex)
        for _ in 0..<r.count(flexible: flex) {
            let id = r.string(flexible: flex)
            if version >= 5 { _ = r.nullableString(flexible: flex) }
            let meta = r.bytes(flexible: flex)
            r.skipTags(flex)
            members.append((id, meta))
        }
        r.skipTags(flex)
    }
}
