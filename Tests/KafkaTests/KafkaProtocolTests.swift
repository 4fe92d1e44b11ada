import XCTest
@testable import Kafka

/// Request encodings checked against layouts written out from the message
/// schemas, and response decoding of hand-built bodies.
final class KafkaProtocolTests: XCTestCase {
    func body<R: KafkaRequest>(_ r: R, _ v: Int16) -> [UInt8] {
        var w = WireWriter()
        r.encode(&w, version: v)
        return w.bytes
    }

    func testOffsetCommitCarriesMetadataString() {
        let req = OffsetCommitRequest(groupId: "g", generationId: 3, memberId: "m",
                                      topics: [("t", [(partition: 1, offset: 17, metadata: "wm=5")])])
        // v8 (flexible): group, generation, member, instance id (null), topics
        XCTAssertEqual(body(req, 8), [2, 0x67, 0, 0, 0, 3, 2, 0x6D, 0,
                                      2, 2, 0x74, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 17,
                                      0xFF, 0xFF, 0xFF, 0xFF, // leader epoch -1
                                      5, 0x77, 0x6D, 0x3D, 0x35, 0, 0, 0])
        // v2: classic strings, retention time -1, no leader epoch
        XCTAssertEqual(body(req, 2), [0, 1, 0x67, 0, 0, 0, 3, 0, 1, 0x6D] + [UInt8](repeating: 0xFF, count: 8)
                       + [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 17, 0, 4, 0x77, 0x6D, 0x3D, 0x35])
    }

    func testOffsetFetchResponseDecodesMetadata() throws {
        var w = WireWriter()
        w.tags(true) // header
        w.int32(0)
        w.arrayLength(1, flexible: true); w.string("t", flexible: true)
        w.arrayLength(1, flexible: true); w.int32(1); w.int64(17); w.int32(-1); w.nullableString("wm=5", flexible: true); w.int16(0); w.tags(true)
        w.tags(true)
        w.int16(0); w.tags(true)
        let resp = try w.bytes.withUnsafeBytes { try OffsetFetchRequest.decodeResponse($0, version: 7) }
        XCTAssertEqual(resp.results.count, 1)
        XCTAssertEqual(resp.results[0].offset, 17)
        XCTAssertEqual(resp.results[0].metadata, "wm=5")
    }

    func testProduceRequestLayoutV3() {
        let req = ProduceRequest(acks: -1, timeoutMs: 1000, topics: [("t", [.init(partition: 2, records: [0xAA, 0xBB])])])
        XCTAssertEqual(body(req, 3), [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x03, 0xE8, 0, 0, 0, 1, 0, 1, 0x74,
                                      0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0xAA, 0xBB])
    }

    func testFetchResponseRecordsRangePointsIntoBody() throws {
        var w = WireWriter()
        w.int32(0); w.int16(0); w.int32(0) // throttle, error, session
        w.arrayLength(1, flexible: false); w.string("t", flexible: false)
        w.arrayLength(1, flexible: false); w.int32(0); w.int16(0); w.int64(10); w.int64(10); w.int64(0)
        w.arrayLength(0, flexible: false); w.int32(-1)
        w.bytesField([1, 2, 3], flexible: false)
        let bytes = w.bytes
        let resp = try bytes.withUnsafeBytes { try FetchRequest.decodeResponse($0, version: 11) }
        XCTAssertEqual(resp.partitions[0].highWatermark, 10)
        XCTAssertEqual(Array(bytes[resp.partitions[0].records]), [1, 2, 3])
    }

    func testCreateTopicsCarriesTopicConfigsSortedByName() {
        let req = CreateTopicsRequest(topics: [.init(name: "s", partitions: 1, replicationFactor: 1,
                                                     configs: ["retention.ms": "-1", "cleanup.policy": "compact"])],
                                      timeoutMs: 30_000)
        let policy = Array("cleanup.policy".utf8), compact = Array("compact".utf8)
        let retention = Array("retention.ms".utf8), minusOne = Array("-1".utf8)
        // v4: topics [name, num_partitions, replication_factor, assignments [], configs [name, value]], timeout_ms, validate_only
        XCTAssertEqual(body(req, 4), [0, 0, 0, 1, 0, 1, 0x73, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2]
                       + [0, 14] + policy + [0, 7] + compact + [0, 12] + retention + [0, 2] + minusOne
                       + [0, 0, 0x75, 0x30, 0])
        // v5 (flexible): compact arrays and strings, a tag buffer after each config, topic and the body.
        XCTAssertEqual(body(req, 5), [2, 2, 0x73, 0, 0, 0, 1, 0, 1, 1, 3]
                       + [15] + policy + [8] + compact + [0] + [13] + retention + [3] + minusOne + [0]
                       + [0, 0, 0, 0x75, 0x30, 0, 0])
        // No configs: an empty array, as before.
        let plain = CreateTopicsRequest(topics: [.init(name: "s", partitions: 1, replicationFactor: 1)], timeoutMs: 30_000)
        XCTAssertEqual(body(plain, 4), [0, 0, 0, 1, 0, 1, 0x73, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x75, 0x30, 0])
    }

    func testCreateTopicsV5ResponseDecodesPastTheEchoedConfigs() throws {
        var w = WireWriter()
        w.tags(true) // response header v1
        w.int32(0)
        w.arrayLength(1, flexible: true)
        w.string("s", flexible: true); w.int16(0); w.nullableString(nil, flexible: true)
        w.int32(1); w.int16(1)
        w.arrayLength(1, flexible: true) // configs as created
        w.string("cleanup.policy", flexible: true); w.nullableString("compact", flexible: true)
        w.bool(false); w.int8(1); w.bool(false); w.tags(true)
        w.tags(true)
        w.tags(true)
        let resp = try w.bytes.withUnsafeBytes { try CreateTopicsRequest.decodeResponse($0, version: 5) }
        XCTAssertEqual(resp.results.map(\.name), ["s"])
        XCTAssertEqual(resp.results.map(\.errorCode), [.none])
    }
}
