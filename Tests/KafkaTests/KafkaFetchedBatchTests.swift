import XCTest
@testable import Kafka

/// `RecordBatchDecoder.split` + `FetchedRecordBatch.decode` (the consumer's
/// split between the polling thread and the decoding workers) against
/// `RecordBatchDecoder.decode`: the same batches, records, offsets and errors.
final class KafkaFetchedBatchTests: XCTestCase {
    /// `count` records from `baseOffset`, value "p<partition>-<offset>" (every
    /// seventh a null value), in one batch of `codec`.
    private func batch(_ codec: RecordCompression, baseOffset: Int64, count: Int, partition: Int32 = 0) throws -> [UInt8] {
        var b = RecordBatchBuilder()
        for i in 0..<count {
            let offset = baseOffset + Int64(i)
            b.append(key: Array("k\(offset)".utf8), value: offset % 7 == 3 ? nil : Array("p\(partition)-\(offset)".utf8),
                     headers: [], timestamp: 1_000 + offset)
        }
        return try b.build(compression: codec, baseOffset: baseOffset)
    }

    private func controlBatch(baseOffset: Int64) throws -> [UInt8] {
        var bytes = try batch(.none, baseOffset: baseOffset, count: 1)
        bytes[22] |= 0x20  // attributes: control batch
        let crc = CRC32C.checksum(Array(bytes[21...]))
        for i in 0..<4 { bytes[17 + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i))) }
        return bytes
    }

    private struct Seen: Equatable {
        var offsets: [Int64]
        var values: [[UInt8]?]
        var nextOffset: Int64
    }

    private func seen(_ b: ConsumedRecordBatch) -> Seen {
        Seen(offsets: b.records.map(\.offset), values: b.records.map { $0.value.map(Array.init) }, nextOffset: b.nextOffset)
    }

    /// Every codec, a control batch in the middle, a fetch offset inside the
    /// first (compressed) batch, a partial batch at the end: split then
    /// decode gives what decode gives, and the header counts are the decoded counts.
    func testSplitThenDecodeMatchesDecodeOverEveryCodec() throws {
        var buffer: [UInt8] = []
        var offset: Int64 = 100
        for codec in [RecordCompression.lz4, .none, .gzip, .snappy, .zstd, .none] {
            buffer += try batch(codec, baseOffset: offset, count: 40)
            offset += 40
            if codec == .gzip {
                buffer += try controlBatch(baseOffset: offset)
                offset += 1
            }
        }
        let whole = buffer.count
        buffer += Array(try batch(.lz4, baseOffset: offset, count: 5).prefix(30))  // cut by the broker's max bytes
        for from: Int64 in [100, 117, 139, 140] {
            let reference = try RecordBatchDecoder.decode(buffer, range: 0..<buffer.count, topic: "t", partition: 3,
                                                          fromOffset: from, highWatermark: offset + 5)
            let split = try RecordBatchDecoder.split(buffer, range: 0..<buffer.count, topic: "t", partition: 3,
                                                     fromOffset: from, highWatermark: offset + 5)
            XCTAssertEqual(split.map(\.nextOffset), reference.map(\.nextOffset), "from \(from)")
            XCTAssertEqual(split.map(\.recordCount), reference.map(\.records.count), "from \(from): header counts are exact")
            XCTAssertEqual(try split.map { seen(try $0.decode()) }, reference.map(seen), "from \(from)")
            XCTAssertEqual(split.map(\.partition), Array(repeating: 3, count: split.count))
        }
        XCTAssertEqual(try RecordBatchDecoder.split(buffer, range: 0..<whole, topic: "t", partition: 3, fromOffset: 100,
                                                    highWatermark: offset).last?.nextOffset, offset)
    }

    /// A batch whose CRC does not match splits (the polling thread does not
    /// check it) but fails to decode with decode's located error; the
    /// batches around it decode.
    func testCorruptBatchSplitsAndFailsToDecodeWithItsLocation() throws {
        let first = try batch(.none, baseOffset: 0, count: 10)
        var corrupt = try batch(.lz4, baseOffset: 10, count: 10)
        corrupt[corrupt.count - 3] ^= 0x40
        let last = try batch(.zstd, baseOffset: 20, count: 10)
        let buffer = first + corrupt + last
        let split = try RecordBatchDecoder.split(buffer, range: 0..<buffer.count, topic: "logs", partition: 4, fromOffset: 0,
                                                 highWatermark: 30)
        XCTAssertEqual(split.map(\.nextOffset), [10, 20, 30])
        XCTAssertEqual(try split[0].decode().records.count, 10)
        XCTAssertEqual(try split[2].decode().records.count, 10)
        var splitError = ""
        XCTAssertThrowsError(try split[1].decode()) { splitError = "\($0)" }
        XCTAssertTrue(splitError.contains("logs/4 offset 10: record batch CRC mismatch"), splitError)
        XCTAssertThrowsError(try RecordBatchDecoder.decode(buffer, range: 0..<buffer.count, topic: "logs", partition: 4,
                                                           fromOffset: 0, highWatermark: 30)) {
            XCTAssertEqual("\($0)", splitError, "the same error either way")
        }
    }

    /// A control batch is decoded while splitting (it has no records to hand
    /// out), so a corrupt one fails the split, as it failed decode.
    func testCorruptControlBatchFailsTheSplit() throws {
        var control = try controlBatch(baseOffset: 5)
        control[control.count - 1] ^= 0x01
        XCTAssertThrowsError(try RecordBatchDecoder.split(control, range: 0..<control.count, topic: "t", partition: 0,
                                                          fromOffset: 0, highWatermark: 6)) {
            XCTAssertTrue("\($0)".contains("t/0 offset 5: record batch CRC mismatch"), "\($0)")
        }
    }
}
