/// Every response this client decodes, with the versions it speaks: what the
/// fuzzers (the libFuzzer target and the XCTest fuzz suite) throw bytes at, so
/// a request type added to the client is fuzzed by both without a second list.
package struct ResponseDecoder {
    package let name: String
    package let versions: ClosedRange<Int16>
    package let decode: (UnsafeRawBufferPointer, Int16) throws -> Void

    package init(name: String, versions: ClosedRange<Int16>, decode: @escaping (UnsafeRawBufferPointer, Int16) throws -> Void) {
        self.name = name
        self.versions = versions
        self.decode = decode
    }

    static func of<R: KafkaRequest>(_ t: R.Type) -> ResponseDecoder {
        ResponseDecoder(name: "\(R.apiKey)", versions: R.versions) { raw, v in _ = try R.decodeResponse(raw, version: v) }
    }

    package static let all: [ResponseDecoder] = [
        of(ApiVersionsRequest.self), of(MetadataRequest.self), of(ProduceRequest.self),
        of(FetchRequest.self), of(ListOffsetsRequest.self), of(FindCoordinatorRequest.self),
        of(JoinGroupRequest.self), of(SyncGroupRequest.self), of(HeartbeatRequest.self),
        of(LeaveGroupRequest.self), of(OffsetCommitRequest.self), of(OffsetFetchRequest.self),
        of(InitProducerIdRequest.self), of(CreateTopicsRequest.self), of(SaslHandshakeRequest.self),
        of(SaslAuthenticateRequest.self),
    ]
}
