import XCTest
@testable import Kafka

final class KafkaRecordBatchTests: XCTestCase {
    /// A batch written out by hand from the protocol guide's record batch v2
    /// layout: one record, key "k", value "v", header h=x, timestamp 1000.
    func goldenBatch() -> [UInt8] {
        let record: [UInt8] = [0x18, // length 12 (zig-zag)
                               0x00, // attributes
                               0x00, // timestamp delta 0
                               0x00, // offset delta 0
                               0x02, 0x6B, // key length 1, "k"
                               0x02, 0x76, // value length 1, "v"
                               0x02, // 1 header
                               0x02, 0x68, 0x02, 0x78] // "h" = "x"
        var afterCRC: [UInt8] = [0x00, 0x00, // attributes: no compression, create time
                                 0x00, 0x00, 0x00, 0x00, // last offset delta
                                 0, 0, 0, 0, 0, 0, 0x03, 0xE8, // first timestamp 1000
                                 0, 0, 0, 0, 0, 0, 0x03, 0xE8, // max timestamp 1000
                                 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // producer id -1
                                 0xFF, 0xFF, // producer epoch -1
                                 0xFF, 0xFF, 0xFF, 0xFF, // base sequence -1
                                 0x00, 0x00, 0x00, 0x01] // 1 record
        afterCRC += record
        let crc = bitwiseCRC32C(afterCRC)
        return [0, 0, 0, 0, 0, 0, 0, 0, // base offset
                0x00, 0x00, 0x00, 0x3E, // batch length 62
                0xFF, 0xFF, 0xFF, 0xFF, // partition leader epoch
                0x02, // magic
                UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)] + afterCRC
    }

    func testBuilderMatchesHandWrittenGoldenBytes() throws {
        var b = RecordBatchBuilder()
        b.append(key: Array("k".utf8), value: Array("v".utf8), headers: [RecordHeader(key: "h", value: Array("x".utf8))], timestamp: 1000)
        XCTAssertEqual(try b.build(compression: .none), goldenBatch())
    }

    func testDecodeGoldenBatch() throws {
        let bytes = goldenBatch()
        let batches = try RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "t", partition: 3, fromOffset: 0, highWatermark: 1)
        XCTAssertEqual(batches.count, 1)
        let r = batches[0].records[0]
        XCTAssertEqual(r.offset, 0)
        XCTAssertEqual(r.timestamp, 1000)
        XCTAssertEqual(Array(r.key!), Array("k".utf8))
        XCTAssertEqual(Array(r.value!), Array("v".utf8))
        XCTAssertEqual(r.headers, [RecordHeader(key: "h", value: Array("x".utf8))])
        XCTAssertEqual(batches[0].nextOffset, 1)
        XCTAssertEqual(batches[0].partition, 3)
    }

    func testNullKeyValueHeaderAndTimestampDeltas() throws {
        var b = RecordBatchBuilder()
        b.append(key: nil, value: nil, headers: [RecordHeader(key: "n", value: nil)], timestamp: 5_000)
        b.append(key: [], value: [1, 2, 3], headers: [], timestamp: 4_000) // earlier: negative delta
        b.append(key: [7], value: [], headers: [], timestamp: 9_000)
        let bytes = try b.build(compression: .none, producerId: 42, producerEpoch: 1, baseSequence: 10, baseOffset: 100)
        let batches = try RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "t", partition: 0, fromOffset: 0, highWatermark: 103)
        let recs = batches[0].records
        XCTAssertEqual(recs.map(\.offset), [100, 101, 102])
        XCTAssertEqual(recs.map(\.timestamp), [5_000, 4_000, 9_000])
        XCTAssertNil(recs[0].key)
        XCTAssertNil(recs[0].value)
        XCTAssertEqual(recs[0].headers, [RecordHeader(key: "n", value: nil)])
        XCTAssertEqual(recs[1].key.map(Array.init), [])
        XCTAssertEqual(recs[1].value.map(Array.init), [1, 2, 3])
        XCTAssertEqual(recs[2].value.map(Array.init), [])
        XCTAssertEqual(batches[0].nextOffset, 103)
        // Header fields: max timestamp, producer id/epoch, sequence.
        bytes.withUnsafeBytes { raw in
            var r = WireReader(raw)
            let h = BatchHeader(reader: &r)
            XCTAssertEqual(h.maxTimestamp, 9_000)
            XCTAssertEqual(h.producerId, 42)
            XCTAssertEqual(h.producerEpoch, 1)
            XCTAssertEqual(h.baseSequence, 10)
            XCTAssertEqual(h.lastOffsetDelta, 2)
        }
    }

    func testRecordsBeforeFetchOffsetAreSkippedAndPartialTailIgnored() throws {
        var b = RecordBatchBuilder()
        for i in 0..<5 { b.append(key: nil, value: [UInt8(i)], headers: [], timestamp: 1) }
        let one = try b.build(compression: .none, baseOffset: 10)
        var two = RecordBatchBuilder()
        two.append(key: nil, value: [99], headers: [], timestamp: 1)
        let second = try two.build(compression: .none, baseOffset: 15)
        let buffer = one + second.prefix(second.count - 3) // broker cut the second batch short
        let batches = try RecordBatchDecoder.decode(buffer, range: 0..<buffer.count, topic: "t", partition: 0, fromOffset: 12, highWatermark: 16)
        XCTAssertEqual(batches.count, 1)
        XCTAssertEqual(batches[0].records.map(\.offset), [12, 13, 14])
        XCTAssertEqual(batches[0].records.map { $0.value![$0.value!.startIndex] }, [2, 3, 4])
        XCTAssertEqual(batches[0].nextOffset, 15)
    }

    func testCorruptedBatchFailsCRCWithLocation() throws {
        var bytes = goldenBatch()
        bytes[bytes.count - 1] ^= 0x01
        XCTAssertThrowsError(try RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "logs", partition: 2, fromOffset: 0, highWatermark: 1)) {
            XCTAssertTrue("\($0)".contains("logs/2 offset 0"), "\($0)")
            XCTAssertTrue("\($0)".contains("CRC"), "\($0)")
        }
    }

    /// Found by `make fuzz`: a batch length too short for the header once
    /// crashed slicing the CRC range; it must be a located decode error.
    func testBatchLengthShorterThanHeaderIsRejected() {
        var bytes = goldenBatch()
        for length in [0, 5, 8, 48] as [UInt32] {
            bytes[8] = UInt8(length >> 24); bytes[9] = UInt8((length >> 16) & 0xFF)
            bytes[10] = UInt8((length >> 8) & 0xFF); bytes[11] = UInt8(length & 0xFF)
            XCTAssertThrowsError(try RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "logs", partition: 1,
                                                                 fromOffset: 0, highWatermark: 1)) {
                XCTAssertTrue("\($0)".contains("logs/1 offset 0: batch length \(length)"), "\($0)")
            }
        }
    }

    func testControlBatchAdvancesOffsetWithoutRecords() throws {
        var bytes = goldenBatch()
        bytes[22] = 0x20 // attributes: control batch
        let crc = bitwiseCRC32C(Array(bytes[21...]))
        bytes[17] = UInt8(crc >> 24); bytes[18] = UInt8((crc >> 16) & 0xFF); bytes[19] = UInt8((crc >> 8) & 0xFF); bytes[20] = UInt8(crc & 0xFF)
        let batches = try RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "t", partition: 0, fromOffset: 0, highWatermark: 1)
        XCTAssertEqual(batches.count, 1)
        XCTAssertTrue(batches[0].records.isEmpty)
        XCTAssertEqual(batches[0].nextOffset, 1)
    }

    func testLargeValueRoundTrip() throws {
        var b = RecordBatchBuilder()
        let big = patternBytes(count: 1 << 20, seed: 31)
        b.append(key: [1], value: big, headers: [], timestamp: 7)
        let bytes = try b.build(compression: .none)
        let batches = try RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "t", partition: 0, fromOffset: 0, highWatermark: 1)
        XCTAssertTrue(sameBytes(batches[0].records[0].value!, big))
    }

    /// A batch is the producer's bytes: a few kilobytes of compressed zeros
    /// must not make the consumer hold gigabytes. Past the bound, every codec
    /// fails with the batch's location; under it, the batch decodes.
    func testCompressedBatchPastTheDecompressionBoundIsALocatedError() throws {
        let zeros = [UInt8](repeating: 0, count: 2 << 20)
        for codec in [RecordCompression.gzip, .snappy, .lz4, .zstd] {
            var b = RecordBatchBuilder()
            b.append(key: nil, value: zeros, headers: [], timestamp: 7)
            let bytes = try b.build(compression: codec)
            XCTAssertLessThan(bytes.count, 200_000, "\(codec) compresses zeros")
            XCTAssertThrowsError(try RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "logs", partition: 4, fromOffset: 0,
                                                                 highWatermark: 1, maxDecompressedBytes: 1 << 20)) {
                XCTAssertTrue("\($0)".contains("logs/4 offset 0"), "\(codec): \($0)")
                XCTAssertTrue("\($0)".contains("more than 1048576 bytes"), "\(codec): \($0)")
            }
            let batches = try RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "logs", partition: 4, fromOffset: 0,
                                                        highWatermark: 1)
            XCTAssertTrue(sameBytes(batches[0].records[0].value!, zeros), "\(codec) under the default bound")
        }
        XCTAssertEqual(maxDecompressedBatchBytes, 256 << 20)
    }
}
