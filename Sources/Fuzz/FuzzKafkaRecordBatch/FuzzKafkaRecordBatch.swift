// libFuzzer target: the record batches (magic 2) of a fetch response, as a
// hostile broker or producer could write them. The CRC-32C of every complete
// batch is recomputed first, so mutations reach the record parser and the
// decompressors instead of stopping at the checksum (a CRC is no defence: an
// attacker computes it). Every record of a decoded batch is read back.
import Kafka

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKafkaRecordBatch(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    var pos = 0
    while bytes.count - pos >= 61 {
        let length = Int(Int32(bitPattern: UInt32(bytes[pos + 8]) << 24 | UInt32(bytes[pos + 9]) << 16
            | UInt32(bytes[pos + 10]) << 8 | UInt32(bytes[pos + 11])))
        guard length >= 49, 12 + length <= bytes.count - pos else { break }
        let crc = CRC32C.checksum(Array(bytes[(pos + 21)..<(pos + 12 + length)]))
        bytes[pos + 17] = UInt8(crc >> 24); bytes[pos + 18] = UInt8((crc >> 16) & 0xFF)
        bytes[pos + 19] = UInt8((crc >> 8) & 0xFF); bytes[pos + 20] = UInt8(crc & 0xFF)
        pos += 12 + length
    }
    guard let batches = try? RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "t", partition: 0,
                                                       fromOffset: 0, highWatermark: 0) else { return 0 }
    for batch in batches {
        for record in batch.records {
            _ = record.key?.count
            _ = record.value?.count
            _ = record.headers.count
        }
        batch.records.withValues(0..<batch.records.count) { _, value in _ = value?.count }
    }
    return 0
}
