/// ApiVersions (key 18): which versions of each API the broker supports.
public struct ApiVersionsRequest: KafkaRequest {
    public typealias Response = ApiVersionsResponse
    public static let api = KafkaAPI(.apiVersions, versions: 0...3, firstFlexible: 3)
    public var clientSoftwareName = "secstream"
    public var clientSoftwareVersion = "1.0"
    public init() {}

    public func encode(_ w: inout WireWriter, version: Int16, flexible _: Bool) {
        guard version >= 3 else { return }
        w.string(clientSoftwareName, flexible: true)
        w.string(clientSoftwareVersion, flexible: true)
        w.tags(true)
    }
}

public struct ApiVersionsResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    /// api key -> supported version range on the broker.
    public var ranges: [Int16: ClosedRange<Int16>] = [:]

    public init(from r: inout WireReader, version: Int16) {
        let flex = ApiVersionsRequest.isFlexible(version)
        errorCode = ErrorCode(rawValue: r.int16())
        r.array(flexible: flex) { r in
            let key = r.int16(), lo = r.int16(), hi = r.int16()
            if lo <= hi { ranges[key] = lo...hi }
        }
        if version >= 1 { _ = r.int32() }
        r.skipTags(flex)
    }
}
