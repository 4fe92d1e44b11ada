/// FindCoordinator (key 10): which broker coordinates a consumer group.
public struct FindCoordinatorRequest: KafkaRequest {
    public typealias Response = FindCoordinatorResponse
    public static let api = KafkaAPI(.findCoordinator, versions: 0...3, firstFlexible: 3)
    public var key: String
    public init(group: String) { key = group }

    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.string(key, flexible: flex)
        if version >= 1 { w.int8(0) } // key type: group
        w.tags(flex)
    }
}

public struct FindCoordinatorResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public var errorMessage: String?
    public var nodeId: Int32 = -1
    public var host = ""
    public var port: Int32 = 0

    public init(from r: inout WireReader, version: Int16) {
        let flex = FindCoordinatorRequest.isFlexible(version)
        if version >= 1 { _ = r.int32() }
        errorCode = ErrorCode(rawValue: r.int16())
        if version >= 1 { errorMessage = r.nullableString(flexible: flex) }
        nodeId = r.int32()
        host = r.string(flexible: flex)
        port = r.int32()
        r.skipTags(flex)
    }
}
