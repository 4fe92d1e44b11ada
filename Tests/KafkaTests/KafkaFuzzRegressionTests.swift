import XCTest
import TestSupport
@testable import Kafka

/// Inputs the libFuzzer targets (`make fuzz-libfuzzer`, Sources/Fuzz/) found;
/// the minimized bytes are under fixtures/fuzz/regressions/FuzzKafkaRecordBatch/.
/// A record batch's CRC covers neither its base offset nor anything a writer
/// cannot recompute, so every offset and time in it is an attacker's number.
final class KafkaFuzzRegressionTests: XCTestCase {
    private func batch(records: Int = 5) throws -> [UInt8] {
        var b = RecordBatchBuilder()
        for i in 0..<records {
            b.append(key: [UInt8(i)], value: Array(repeating: UInt8(i), count: i), headers: [], timestamp: 1_000 + Int64(i))
        }
        return try b.build(compression: .none)
    }

    private func setInt64(_ bytes: inout [UInt8], at offset: Int, _ value: Int64) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> (56 - 8 * UInt64(i))) }
    }

    private func fixCRC(_ bytes: inout [UInt8]) {
        let crc = CRC32C.checksum(Array(bytes[21...]))
        for i in 0..<4 { bytes[17 + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i))) }
    }

    private func decode(_ bytes: [UInt8]) throws -> [ConsumedRecordBatch] {
        try RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "t", partition: 0, fromOffset: 0, highWatermark: 0)
    }

    /// FuzzKafkaRecordBatch: base offset Int64.max trapped on `baseOffset +
    /// lastOffsetDelta + 1` (Swift runtime failure: arithmetic overflow).
    func testBaseOffsetNearInt64MaxIsADecodeErrorNotATrap() throws {
        let path = TestPaths.packageRoot + "/fixtures/fuzz/regressions/FuzzKafkaRecordBatch/base-offset-overflow.bin"
        let found = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertThrowsError(try decode(found)) { error in
            XCTAssertTrue("\(error)".contains("out of range"), "\(error)")
        }
        // Built here: every base offset whose last offset would pass Int64.max.
        for base in [Int64.max, Int64.max - 3, Int64.max - 4] {
            var bytes = try batch()
            setInt64(&bytes, at: 0, base)
            XCTAssertThrowsError(try decode(bytes), "base \(base)") { error in
                XCTAssertEqual(error as? KafkaError, .decode("t/0 offset \(base): last offset delta 4 out of range"))
            }
        }
        // The largest base offset that still fits decodes, offsets intact.
        var fits = try batch()
        setInt64(&fits, at: 0, Int64.max - 5)
        let decoded = try decode(fits)
        XCTAssertEqual(decoded.first?.nextOffset, Int64.max)
        XCTAssertEqual(decoded.first?.records.map(\.offset), (0..<5).map { Int64.max - 5 + Int64($0) })
    }

    /// A first timestamp near Int64.max plus a record's delta overflowed the
    /// same way (create-time batches; log-append time does not read the delta).
    func testTimestampDeltaOverflowIsADecodeError() throws {
        var bytes = try batch()
        setInt64(&bytes, at: 27, Int64.max - 2) // firstTimestamp; records carry deltas 0...4
        fixCRC(&bytes)
        XCTAssertThrowsError(try decode(bytes)) { error in
            XCTAssertTrue("\(error)".contains("timestamp delta 3 out of range"), "\(error)")
        }
        bytes[22] |= 0x08 // log-append time: the batch's max timestamp stands for every record
        fixCRC(&bytes)
        let decoded = try decode(bytes)
        XCTAssertEqual(decoded.first?.records.count, 5)
    }
}
