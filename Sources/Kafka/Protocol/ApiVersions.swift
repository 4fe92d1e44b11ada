/// ApiVersions (key 18): which versions of each API the broker supports.
public struct ApiVersionsRequest: KafkaRequest {
    public typealias Response = ApiVersionsResponse
    public static let apiKey = APIKey.apiVersions
    public static let versions: ClosedRange<Int16> = 0...3
    public static let firstFlexible: Int16 = 3
    public var clientSoftwareName = "secstream"
    public var clientSoftwareVersion = "1.0"
    public init() {}

    public func encode(_ w: inout WireWriter, version: Int16) {
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
        let flex = version >= 3
        errorCode = ErrorCode(rawValue: r.int16())
        for _ in 0..<r.count(flexible: flex) {
            let key = r.int16(), lo = r.int16(), hi = r.int16()
            if lo <= hi { ranges[key] = lo...hi }
            r.skipTags(flex)
        }
        if version >= 1 { _ = r.int32() }
        r.skipTags(flex)
    }
}
