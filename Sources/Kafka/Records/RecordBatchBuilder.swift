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

    /// Bytes of the batch header that precede the records.
    public static let headerSize = 61

    public init() {}

    /// Uncompressed size estimate of the finished batch.
    public var sizeInBytes: Int { Self.headerSize + body.count }

    public mutating func append(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader], timestamp: Int64) {
        Self.withOptionalBytes(key) { k in
            Self.withOptionalBytes(value) { v in append(keyBytes: k, valueBytes: v, headers: headers, timestamp: timestamp) }
        }
    }

    /// Appends a record from borrowed bytes (no intermediate arrays). The
    /// record's length prefix is computed up front, so it is written once.
    public mutating func append(keyBytes key: UnsafeRawBufferPointer?, valueBytes value: UnsafeRawBufferPointer?, headers: [RecordHeader],
                                timestamp: Int64) {
        if recordCount == 0 {
            firstTimestamp = timestamp
            maxTimestamp = timestamp
        } else if timestamp > maxTimestamp {
            maxTimestamp = timestamp
        }
        let tsDelta = timestamp - firstTimestamp
        var length = 1 + Self.varlongSize(tsDelta) + Self.varlongSize(Int64(recordCount))
            + Self.fieldSize(key?.count) + Self.fieldSize(value?.count) + Self.varlongSize(Int64(headers.count))
        for h in headers { length += Self.fieldSize(h.key.utf8.count) + Self.fieldSize(h.value?.count) }
        body.varint(Int32(length))
        body.int8(0) // record attributes (unused)
        body.varlong(tsDelta)
        body.varint(recordCount) // offset delta
        Self.varBytes(&body, key)
        Self.varBytes(&body, value)
        body.varint(Int32(headers.count))
        for h in headers {
            var k = h.key
            k.withUTF8 { buf in
                body.varint(Int32(buf.count))
                body.raw(UnsafeRawBufferPointer(buf))
            }
            Self.withOptionalBytes(h.value) { Self.varBytes(&body, $0) }
        }
        recordCount += 1
    }

    @inline(__always)
    static func withOptionalBytes<R>(_ b: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        guard let b else { return try body(nil) }
        return try b.withUnsafeBytes { try body($0) }
    }

    /// Bytes of a zig-zag varlong.
    @inline(__always) static func varlongSize(_ v: Int64) -> Int {
        var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        var n = 1
        while u >= 0x80 { u >>= 7; n += 1 }
        return n
    }

    /// Bytes of a length-prefixed field (-1 length for null).
    @inline(__always) static func fieldSize(_ count: Int?) -> Int {
        guard let count else { return 1 }
        return varlongSize(Int64(count)) + count
    }

    @inline(__always) static func varBytes(_ w: inout WireWriter, _ b: UnsafeRawBufferPointer?) {
        guard let b else { w.varint(-1); return }
        w.varint(Int32(b.count))
        w.raw(b)
    }

    /// Encodes the batch. `baseOffset` is 0 on produce (the broker assigns offsets).
    public func build(compression: RecordCompression, level: Int? = nil, producerId: Int64 = -1, producerEpoch: Int16 = -1,
                      baseSequence: Int32 = -1, baseOffset: Int64 = 0) throws -> [UInt8] {
        let records: [UInt8] = compression == .none ? body.bytes : try compressRecords(body.bytes, compression, level: level)
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

    /// Rewrites the idempotence fields of an encoded batch (producer id, epoch,
    /// base sequence) and its CRC, leaving the records (compressed or not)
    /// untouched: the producer re-sequences queued batches after an epoch bump
    /// without encoding or compressing them again.
    public static func restamp(_ batch: inout [UInt8], producerId: Int64, producerEpoch: Int16, baseSequence: Int32) {
        precondition(batch.count >= headerSize, "restamp: not an encoded record batch")
        batch.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt64(bitPattern: producerId).bigEndian, toByteOffset: producerIdOffset, as: UInt64.self)
            raw.storeBytes(of: UInt16(bitPattern: producerEpoch).bigEndian, toByteOffset: producerIdOffset + 8, as: UInt16.self)
            raw.storeBytes(of: UInt32(bitPattern: baseSequence).bigEndian, toByteOffset: producerIdOffset + 10, as: UInt32.self)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[crcCoverageStart...]))
            raw.storeBytes(of: crc.bigEndian, toByteOffset: crcCoverageStart - 4, as: UInt32.self)
        }
    }

    /// Byte offsets in the v2 batch header: the CRC covers everything from the
    /// attributes on; producer id, epoch and base sequence follow the timestamps.
    static let crcCoverageStart = 21
    static let producerIdOffset = 43
}
