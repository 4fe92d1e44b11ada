/// Kafka API keys this client speaks.
public enum APIKey: Int16, CaseIterable, Sendable {
    case produce = 0, fetch = 1, listOffsets = 2, metadata = 3, offsetCommit = 8, offsetFetch = 9,
         findCoordinator = 10, joinGroup = 11, heartbeat = 12, leaveGroup = 13, syncGroup = 14,
         saslHandshake = 17, apiVersions = 18, createTopics = 19, initProducerId = 22, saslAuthenticate = 36
}

/// What a request type declares about its API: the key, the version range
/// this client implements, and the first flexible version (KIP-482 compact
/// encodings + tagged fields; `Int16.max` if none within range).
public struct KafkaAPI: Sendable {
    public let key: APIKey
    public let versions: ClosedRange<Int16>
    public let firstFlexible: Int16

    public init(_ key: APIKey, versions: ClosedRange<Int16>, firstFlexible: Int16 = .max) {
        self.key = key
        self.versions = versions
        self.firstFlexible = firstFlexible
    }
}

/// A request type: its API (see `KafkaAPI`) and its body encoding for a
/// negotiated version; `flexible` is `isFlexible(version)`.
public protocol KafkaRequest {
    associatedtype Response: KafkaResponse
    static var api: KafkaAPI { get }
    func encode(_ w: inout WireWriter, version: Int16, flexible: Bool)
}

public protocol KafkaResponse {
    init(from r: inout WireReader, version: Int16)
}

extension KafkaRequest {
    public static var apiKey: APIKey { api.key }
    /// Versions this client can encode and decode.
    public static var versions: ClosedRange<Int16> { api.versions }
    /// First version using the flexible encoding (Int16.max if none within range).
    public static var firstFlexible: Int16 { api.firstFlexible }

    /// Whether `version` uses the flexible encoding; response decoders ask
    /// their request type, so the threshold is written once.
    public static func isFlexible(_ version: Int16) -> Bool { version >= api.firstFlexible }

    /// The request body for `version`.
    public func encode(_ w: inout WireWriter, version: Int16) {
        encode(&w, version: version, flexible: Self.isFlexible(version))
    }

    /// Request header v1 (v2 when flexible) followed by the body, without the
    /// 4-byte size prefix. client_id is always a classic nullable string.
    public func frame(version: Int16, correlationId: Int32, clientId: String) -> WireWriter {
        var w = WireWriter(capacity: 128)
        w.int32(0) // size, patched below
        w.int16(Self.apiKey.rawValue)
        w.int16(version)
        w.int32(correlationId)
        w.nullableString(clientId, flexible: false)
        let flexible = Self.isFlexible(version)
        w.tags(flexible)
        encode(&w, version: version, flexible: flexible)
        w.patchInt32(Int32(w.count - 4), at: 0)
        return w
    }

    /// Response header v0 for ApiVersions (always, so old brokers can answer
    /// it) and non-flexible versions; v1 (with tags) otherwise.
    public static func responseHeaderHasTags(_ version: Int16) -> Bool {
        apiKey != .apiVersions && isFlexible(version)
    }

    /// Decodes a response body (after the correlation id), checking that
    /// every byte parsed cleanly.
    public static func decodeResponse(_ body: UnsafeRawBufferPointer, version: Int16, from: Int = 0) throws -> Response {
        var r = WireReader(body, from: from)
        if responseHeaderHasTags(version) { r.skipTags(true) }
        let resp = Response(from: &r, version: version)
        try r.finish("\(apiKey) v\(version) response")
        return resp
    }
}
