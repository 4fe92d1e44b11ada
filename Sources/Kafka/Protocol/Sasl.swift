/// SaslHandshake (key 17): picks the SASL mechanism; v1 means the exchange
/// continues with SaslAuthenticate requests (KIP-152).
public struct SaslHandshakeRequest: KafkaRequest {
    public typealias Response = SaslHandshakeResponse
    public static let api = KafkaAPI(.saslHandshake, versions: 1...1)
    public var mechanism: String
    public init(mechanism: String) { self.mechanism = mechanism }
    public func encode(_ w: inout WireWriter, version: Int16, flexible _: Bool) {
        w.string(mechanism, flexible: false)
    }
}

public struct SaslHandshakeResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public var mechanisms: [String] = []
    public init(from r: inout WireReader, version: Int16) {
        errorCode = ErrorCode(rawValue: r.int16())
        for _ in 0..<r.count(flexible: false) { mechanisms.append(r.string(flexible: false)) }
    }
}

/// SaslAuthenticate (key 36): one round of the SASL exchange.
public struct SaslAuthenticateRequest: KafkaRequest {
    public typealias Response = SaslAuthenticateResponse
    public static let api = KafkaAPI(.saslAuthenticate, versions: 0...2, firstFlexible: 2)
    public var authBytes: [UInt8]
    public init(authBytes: [UInt8]) { self.authBytes = authBytes }
    public func encode(_ w: inout WireWriter, version: Int16, flexible flex: Bool) {
        w.bytesField(authBytes, flexible: flex)
        w.tags(flex)
    }
}

public struct SaslAuthenticateResponse: KafkaResponse {
    public var errorCode: ErrorCode = .none
    public var errorMessage: String?
    public var authBytes: [UInt8] = []
    public init(from r: inout WireReader, version: Int16) {
        let flex = SaslAuthenticateRequest.isFlexible(version)
        errorCode = ErrorCode(rawValue: r.int16())
        errorMessage = r.nullableString(flexible: flex)
        authBytes = r.bytes(flexible: flex)
        if version >= 1 { _ = r.int64() }
        r.skipTags(flex)
    }
}
