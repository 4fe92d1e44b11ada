/// Kafka API keys this client speaks.
public enum APIKey: Int16, CaseIterable, Sendable {
    case produce = 0, fetch = 1, listOffsets = 2, metadata = 3, offsetCommit = 8, offsetFetch = 9,
         findCoordinator = 10, joinGroup = 11, heartbeat = 12, leaveGroup = 13, syncGroup = 14,
         saslHandshake = 17, apiVersions = 18, createTopics = 19, initProducerId = 22, saslAuthenticate = 36
}

/// A request type: its API key, the version range this client implements,
/// the first flexible version (KIP-482 compact encodings + tagged fields),
/// and its body encoding for a negotiated version.
public protocol KafkaRequest {
    associatedtype Response: KafkaResponse
    static var apiKey: APIKey { get }
    /// Versions this client can encode and decode.
    static var versions: ClosedRange<Int16> { get }
    /// First version using the flexible encoding (Int16.max if none within range).
    static var firstFlexible: Int16 { get }
    func encode(_ w: inout WireWriter, version: Int16)
}

public protocol KafkaResponse {
    init(from r: inout WireReader, version: Int16)
}

extension KafkaRequest {
    public static func isFlexible(_ version: Int16) -> Bool { version >= firstFlexible }

    /// Request header v1 (v2 when flexible) followed by the body, without the
    /// 4-byte size prefix. client_id is always a classic nullable string.
    public func frame(version: Int16, correlationId: Int32, clientId: String) -> WireWriter {
        var w = WireWriter(capacity: 128)
        w.int32(0) // size, patched below
        w.int16(Self.apiKey.rawValue)
        w.int16(version)
        w.int32(correlationId)
        w.nullableString(clientId, flexible: false)
        w.tags(Self.isFlexible(version))
        encode(&w, version: version)
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
