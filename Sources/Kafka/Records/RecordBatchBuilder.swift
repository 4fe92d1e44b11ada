/// Accumulates records for one partition and encodes them as a record batch
/// v2. Records are encoded into the records section as they are appended
/// (no per-record objects are kept); the header, optional compression and
/// CRC are produced by `build`, once the producer id and base sequence are known.
public struct RecordBatchBuilder {
    public private(set) var recordCount: Int32 = 0
    public private(set) var firstTimestamp: Int64 = 0
    public private(set) var maxTimestamp: Int64 = 0
    /// Encoded records section (uncompressed).
    public private(set) var body = WireWriter(capacity: 1024)
    var scratch = WireWriter(capacity: 256)

    /// Bytes of the batch header that precede the records.
    public static let headerSize = 61

    public init() {}

    /// Uncompressed size estimate of the finished batch.
    public var sizeInBytes: Int { Self.headerSize + body.count }

    public mutating func append(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader], timestamp: Int64) {
        if recordCount == 0 {
            firstTimestamp = timestamp
            maxTimestamp = timestamp
        } else if timestamp > maxTimestamp {
            maxTimestamp = timestamp
        }
        // The record is encoded into scratch first because its length prefix
        // is a varint and so cannot be back-patched in place.
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.int8(0) // record attributes (unused)
        scratch.varlong(timestamp - firstTimestamp)
        scratch.varint(recordCount) // offset delta
        Self.varBytes(&scratch, key)
        Self.varBytes(&scratch, value)
        scratch.varint(Int32(headers.count))
        for h in headers {
            var k = h.key
            k.withUTF8 { buf in
                scratch.varint(Int32(buf.count))
                scratch.raw(buf)
            }
            Self.varBytes(&scratch, h.value)
        }
        body.varint(Int32(scratch.count))
        body.raw(scratch.bytes)
        recordCount += 1
    }

    static func varBytes(_ w: inout WireWriter, _ b: [UInt8]?) {
        guard let b else { w.varint(-1); return }
        w.varint(Int32(b.count))
        w.raw(b)
    }

    /// Encodes the batch. `baseOffset` is 0 on produce (the broker assigns offsets).
    public func build(compression: RecordCompression, producerId: Int64 = -1, producerEpoch: Int16 = -1,
                      baseSequence: Int32 = -1, baseOffset: Int64 = 0) throws -> [UInt8] {
        let records: [UInt8] = compression == .none ? body.bytes : try compressRecords(body.bytes, compression)
        var w = WireWriter(capacity: Self.headerSize + records.count)
        w.int64(baseOffset)
        w.int32(0) // batch length, patched
        w.int32(-1) // partition leader epoch
        w.int8(2) // magic
        w.uint32(0) // crc, patched
        let crcStart = w.count
        w.int16(compression.rawValue) // attributes: create-time timestamps, not transactional
        w.int32(recordCount - 1) // last offset delta
        w.int64(firstTimestamp)
        w.int64(maxTimestamp)
        w.int64(producerId)
        w.int16(producerEpoch)
        w.int32(baseSequence)
        w.int32(recordCount)
        w.raw(records)
        w.patchInt32(Int32(w.count - 12), at: 8)
        let crc = w.bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[crcStart...])) }
        w.patchUInt32(crc, at: crcStart - 4)
        return w.bytes
    }
}
