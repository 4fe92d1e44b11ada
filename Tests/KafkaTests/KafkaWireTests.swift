import XCTest
@testable import Kafka

final class KafkaWireTests: XCTestCase {
    func read<T>(_ bytes: [UInt8], _ f: (inout WireReader) -> T) -> (T, WireReader) {
        bytes.withUnsafeBytes { raw in
            var r = WireReader(raw)
            let v = f(&r)
            return (v, r)
        }
    }

    func testFixedWidthIntegersAreBigEndian() {
        var w = WireWriter()
        w.int16(-2)
        w.int32(0x0102_0304)
        w.int64(-1)
        w.bool(true)
        XCTAssertEqual(w.bytes, [0xFF, 0xFE, 1, 2, 3, 4] + [UInt8](repeating: 0xFF, count: 8) + [1])
        let (v, r) = read(w.bytes) { r in (r.int16(), r.int32(), r.int64(), r.bool()) }
        XCTAssertEqual(v.0, -2)
        XCTAssertEqual(v.1, 0x0102_0304)
        XCTAssertEqual(v.2, -1)
        XCTAssertTrue(v.3)
        XCTAssertNil(r.failure)
    }

    func testZigZagVarintKnownEncodings() {
        // From the protocol guide: zig-zag maps 0,-1,1,-2,2 to 0,1,2,3,4.
        let cases: [(Int32, [UInt8])] = [(0, [0]), (-1, [1]), (1, [2]), (-2, [3]), (63, [0x7E]), (-64, [0x7F]),
                                         (64, [0x80, 0x01]), (150, [0xAC, 0x02]),
                                         (Int32.max, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]), (Int32.min, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])]
        for (v, enc) in cases {
            var w = WireWriter()
            w.varint(v)
            XCTAssertEqual(w.bytes, enc, "varint \(v)")
            let (back, r) = read(enc) { $0.varint() }
            XCTAssertEqual(back, v)
            XCTAssertEqual(r.remaining, 0)
        }
    }

    func testVarlongRoundTripsEdgeCases() {
        for v: Int64 in [0, 1, -1, 127, 128, -129, Int64(Int32.max) + 1, Int64.max, Int64.min, 1_700_000_000_000] {
            var w = WireWriter()
            w.varlong(v)
            let (back, r) = read(w.bytes) { $0.varlong() }
            XCTAssertEqual(back, v)
            XCTAssertNil(r.failure)
        }
        var w = WireWriter()
        w.varlong(Int64.min)
        XCTAssertEqual(w.bytes.count, 10)
    }

    func testUnsignedVarintRejectsOverlongAndTruncated() {
        let (_, r1) = read([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) { $0.uvarint() }
        XCTAssertNotNil(r1.failure)
        let (_, r2) = read([0x80, 0x80]) { $0.uvarint() }
        XCTAssertNotNil(r2.failure)
    }

    func testClassicAndCompactStringsAndNulls() {
        var w = WireWriter()
        w.string("héllo", flexible: false)
        w.nullableString(nil, flexible: false)
        w.string("ab", flexible: true)
        w.nullableString(nil, flexible: true)
        w.bytesField([9, 8], flexible: true)
        w.nullableBytes(nil, flexible: false)
        XCTAssertEqual(Array(w.bytes[0..<2]), [0, 6])
        XCTAssertEqual(Array(w.bytes[8..<10]), [0xFF, 0xFF])
        XCTAssertEqual(Array(w.bytes[10..<13]), [3, 0x61, 0x62]) // compact: length + 1
        XCTAssertEqual(w.bytes[13], 0)
        let (v, r) = read(w.bytes) { r in
            (r.string(flexible: false), r.nullableString(flexible: false), r.string(flexible: true),
             r.nullableString(flexible: true), r.bytes(flexible: true), r.nullableBytes(flexible: false))
        }
        XCTAssertEqual(v.0, "héllo")
        XCTAssertNil(v.1)
        XCTAssertEqual(v.2, "ab")
        XCTAssertNil(v.3)
        XCTAssertEqual(v.4, [9, 8])
        XCTAssertNil(v.5)
        XCTAssertEqual(r.remaining, 0)
        XCTAssertNil(r.failure)
    }

    func testCompactArraysAndTaggedFieldsAreSkipped() {
        var w = WireWriter()
        w.arrayLength(2, flexible: true)
        w.arrayLength(nil, flexible: true)
        // Two tagged fields: tag 0 with 3 bytes, tag 5 with 1 byte.
        w.uvarint(2)
        w.uvarint(0); w.uvarint(3); w.raw([1, 2, 3])
        w.uvarint(5); w.uvarint(1); w.raw([4])
        w.int16(7)
        let (v, r) = read(w.bytes) { r -> (Int?, Int?, Int16) in
            let a = r.arrayLength(flexible: true)
            let b = r.arrayLength(flexible: true)
            r.skipTags(true)
            return (a, b, r.int16())
        }
        XCTAssertEqual(v.0, 2)
        XCTAssertNil(v.1)
        XCTAssertEqual(v.2, 7)
        XCTAssertNil(r.failure)
    }

    func testReaderRecordsFirstErrorAndReturnsZeros() {
        let (v, r) = read([0, 0, 0]) { r in (r.int32(), r.int16(), r.string(flexible: false)) }
        XCTAssertEqual(v.0, 0)
        XCTAssertEqual(v.1, 0)
        XCTAssertEqual(v.2, "")
        XCTAssertTrue(r.failure!.contains("truncated"))
        XCTAssertThrowsError(try r.finish("test"))
    }

    func testArrayLengthLargerThanInputIsRejected() {
        let (n, r) = read([0x7F, 0xFF, 0xFF, 0xFF]) { $0.arrayLength(flexible: false) }
        XCTAssertNil(n)
        XCTAssertNotNil(r.failure)
    }

    /// RFC 3720 (iSCSI) appendix B.4 test vectors, plus the classic check value.
    func testCRC32CKnownVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    func testCRC32CSlicingMatchesBitwiseForAllLengths() {
        var rng = SystemRandomNumberGenerator()
        for n in 0..<70 {
            let data = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            XCTAssertEqual(CRC32C.checksum(data), bitwiseCRC32C(data), "length \(n)")
            XCTAssertEqual(data.withUnsafeBytes { CRC32C.software($0) }, bitwiseCRC32C(data), "length \(n)")
        }
    }

    /// The hardware path (used when the CPU has it) and the tables agree on
    /// every length and alignment, with and without a seed.
    func testCRC32CHardwareMatchesSoftwareSkippedOnCPUsWithoutTheInstruction() throws {
        try XCTSkipUnless(CRC32C.hardware, "this CPU has no CRC-32C instruction; the table path is the one in use")
        var rng = SystemRandomNumberGenerator()
        let data = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        data.withUnsafeBytes { all in
            for start in 0..<9 {
                for n in [0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 255, 1000, 4990 - start] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + n)])
                    XCTAssertEqual(CRC32C.checksum(slice), CRC32C.software(slice), "start \(start) length \(n)")
                    XCTAssertEqual(CRC32C.checksum(slice, seed: 0x1234_5678), CRC32C.software(slice, seed: 0x1234_5678))
                }
            }
        }
    }

    func testRequestFrameHeaderLayout() {
        let frame = MetadataRequest(topics: ["t"]).frame(version: 9, correlationId: 7, clientId: "c")
        // size, api key 3, version 9, correlation 7, client id (classic string), empty tags
        XCTAssertEqual(Array(frame.bytes[4..<15]), [0, 3, 0, 9, 0, 0, 0, 7, 0, 1, 0x63])
        XCTAssertEqual(frame.bytes[15], 0)
        let size = Int(frame.bytes[0]) << 24 | Int(frame.bytes[1]) << 16 | Int(frame.bytes[2]) << 8 | Int(frame.bytes[3])
        XCTAssertEqual(size, frame.count - 4)
        // body: compact array of 1 topic "t" + tags, allow auto create, 2 bools, tags
        XCTAssertEqual(Array(frame.bytes[16...]), [2, 2, 0x74, 0, 0, 0, 0, 0])
    }
}

/// Reference bit-at-a-time CRC-32C, independent of the table implementation.
func bitwiseCRC32C(_ data: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in data {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    }
    return ~crc
}
