/// Decodes the record batches (magic 2) of one partition from a fetch
/// response. A trailing partial batch (the broker cuts at max bytes) is not
/// an error: decoding stops there and the next fetch resumes from it.
public enum RecordBatchDecoder {
    /// Decodes every complete batch in `buffer[range]`, skipping control
    /// batches and records below `fromOffset` (a compressed batch may start
    /// before the requested offset). A compressed batch whose records
    /// decompress to more than `maxDecompressedBytes` is a located error.
    public static func decode(_ buffer: [UInt8], range: Range<Int>, topic: String, partition: Int32,
                              fromOffset: Int64, highWatermark: Int64,
                              maxDecompressedBytes: Int = maxDecompressedBatchBytes) throws -> [ConsumedRecordBatch] {
        var out: [ConsumedRecordBatch] = []
        try forEachBatch(buffer, range: range, topic: topic, partition: partition) { start, total in
            out.append(try decodeBatch(buffer, at: start, total: total, topic: topic, partition: partition,
                                       fromOffset: fromOffset, highWatermark: highWatermark,
                                       maxDecompressedBytes: maxDecompressedBytes))
        }
        return out
    }

    /// Frames every complete batch in `buffer[range]` and reads its header,
    /// leaving the CRC check, decompression and record parsing to
    /// `FetchedRecordBatch.decode` (on any thread). Only what the header must
    /// be trusted for here (where the next batch starts) is checked now; a
    /// batch that cannot be split off on its header alone — a control batch,
    /// one starting before `fromOffset`, one without records, one whose last
    /// offset overflows — is decoded here, so its errors come in the same
    /// order as `decode`'s.
    public static func split(_ buffer: [UInt8], range: Range<Int>, topic: String, partition: Int32,
                             fromOffset: Int64, highWatermark: Int64,
                             maxDecompressedBytes: Int = maxDecompressedBatchBytes) throws -> [FetchedRecordBatch] {
        var out: [FetchedRecordBatch] = []
        try forEachBatch(buffer, range: range, topic: topic, partition: partition) { start, total in
            let header = buffer.withUnsafeBytes { raw -> BatchHeader in
                var r = WireReader(raw, from: start, to: start + total)
                return BatchHeader(reader: &r)
            }
            let (lastOffset, overflow) = header.baseOffset.addingReportingOverflow(Int64(header.lastOffsetDelta))
            if header.attributes & 0x20 != 0 || header.baseOffset < fromOffset || header.count <= 0
                || overflow || lastOffset == Int64.max {
                out.append(FetchedRecordBatch(decoded: try decodeBatch(buffer, at: start, total: total, topic: topic,
                                                                       partition: partition, fromOffset: fromOffset,
                                                                       highWatermark: highWatermark,
                                                                       maxDecompressedBytes: maxDecompressedBytes)))
                return
            }
            out.append(FetchedRecordBatch(topic: topic, partition: partition, buffer: buffer, start: start, total: total,
                                          count: Int(header.count), nextOffset: lastOffset + 1, fromOffset: fromOffset,
                                          highWatermark: highWatermark, maxDecompressedBytes: maxDecompressedBytes))
        }
        return out
    }

    /// Calls `body(start, total)` for every complete batch in `buffer[range]`,
    /// in order, after checking what framing it needs (length, magic).
    private static func forEachBatch(_ buffer: [UInt8], range: Range<Int>, topic: String, partition: Int32,
                                     _ body: (_ start: Int, _ total: Int) throws -> Void) throws {
        var pos = range.lowerBound
        while range.upperBound - pos >= 17 {
            let (baseOffset, length, magic) = buffer.withUnsafeBytes { raw -> (Int64, Int, Int8) in
                var r = WireReader(raw, from: pos, to: range.upperBound)
                let b = r.int64()
                let l = r.int32()
                _ = r.int32()
                return (b, Int(l), r.int8())
            }
            let total = 12 + length
            if length < 0 { throw KafkaError.decode("\(topic)/\(partition) offset \(baseOffset): negative batch length \(length)") }
            if total > range.upperBound - pos { break } // partial trailing batch
            if magic != 2 {
                throw KafkaError.decode("\(topic)/\(partition) offset \(baseOffset): unsupported record batch magic \(magic)")
            }
            // A v2 batch header is 61 bytes, 49 of them after the length field.
            if length < 49 {
                throw KafkaError.decode("\(topic)/\(partition) offset \(baseOffset): batch length \(length) is shorter than a batch header")
            }
            try body(pos, total)
            pos += total
        }
    }

    static func decodeBatch(_ buffer: [UInt8], at start: Int, total: Int, topic: String, partition: Int32,
                            fromOffset: Int64, highWatermark: Int64, maxDecompressedBytes: Int) throws -> ConsumedRecordBatch {
        let end = start + total
        let header = buffer.withUnsafeBytes { raw -> BatchHeader in
            var r = WireReader(raw, from: start, to: end)
            let h = BatchHeader(reader: &r)
            let crcOK = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + 21)..<end])) == h.crc
            var h2 = h
            h2.crcOK = crcOK
            h2.recordsStart = r.pos
            return h2
        }
        let at = "\(topic)/\(partition) offset \(header.baseOffset)"
        guard header.crcOK else { throw KafkaError.decode("\(at): record batch CRC mismatch") }
        // Offsets and deltas are the writer's claims (a CRC is no defence): an
        // offset past Int64.max must be a decode error, not an overflow trap.
        let (lastOffset, lastOverflow) = header.baseOffset.addingReportingOverflow(Int64(header.lastOffsetDelta))
        guard !lastOverflow, lastOffset < Int64.max else {
            throw KafkaError.decode("\(at): last offset delta \(header.lastOffsetDelta) out of range")
        }
        let nextOffset = lastOffset + 1
        if header.attributes & 0x20 != 0 { // control batch (transaction markers)
            return ConsumedRecordBatch(topic: topic, partition: partition, records: ConsumedRecords(storage: []), nextOffset: nextOffset,
                                       highWatermark: highWatermark)
        }
        let codecId = header.attributes & 0x07
        guard let codec = RecordCompression(rawValue: codecId) else {
            throw KafkaError.decode("\(at): unknown compression codec \(codecId)")
        }
        let storage: [UInt8]
        var from: Int
        let to: Int
        if codec == .none {
            storage = buffer
            from = header.recordsStart
            to = end
        } else {
            do {
                storage = try buffer.withUnsafeBytes {
                    try decompressRecords(UnsafeRawBufferPointer(rebasing: $0[header.recordsStart..<end]), codec,
                                          limit: maxDecompressedBytes)
                }
            } catch {
                throw KafkaError.compression("\(at): \(error)")
            }
            from = 0
            to = storage.count
        }
        let logAppendTime = header.attributes & 0x08 != 0
        var records = ConsumedRecords(storage: storage)
        records.spans.reserveCapacity(Int(max(0, min(header.count, 1 << 20))))
        var failure: String?
        storage.withUnsafeBytes { raw in
            var r = WireReader(raw, from: from, to: to)
            for _ in 0..<max(0, header.count) {
                let length = Int(r.varint())
                let recEnd = r.pos + length
                if length < 0 || recEnd > to { r.fail("record length \(length) out of bounds"); break }
                _ = r.int8()
                let tsDelta = r.varlong()
                let offDelta = r.varint()
                let (keyStart, keyCount) = span(&r)
                let (valueStart, valueCount) = span(&r)
                let nHeaders = Int(r.varint())
                var headersIndex = -1
                if nHeaders > 0 {
                    if nHeaders > r.remaining { r.fail("header count \(nHeaders) out of bounds"); break }
                    var headers: [RecordHeader] = []
                    headers.reserveCapacity(nHeaders)
                    for _ in 0..<nHeaders {
                        let kl = Int(r.varint())
                        let kp = r.pos
                        r.skip(kl)
                        let k = r.ok ? String(decoding: UnsafeRawBufferPointer(rebasing: raw[kp..<kp + kl]), as: UTF8.self) : ""
                        let (vs, vc) = span(&r)
                        headers.append(RecordHeader(key: k, value: vc < 0 ? nil : Array(raw[vs..<(vs + vc)])))
                    }
                    headersIndex = records.headers.count
                    records.headers.append(headers)
                }
                if !r.ok { break }
                if r.pos != recEnd { r.fail("record length mismatch"); break }
                let (offset, offsetOverflow) = header.baseOffset.addingReportingOverflow(Int64(offDelta))
                let (createTime, timeOverflow) = header.firstTimestamp.addingReportingOverflow(tsDelta)
                if offsetOverflow || (timeOverflow && !logAppendTime) {
                    r.fail(offsetOverflow ? "offset delta \(offDelta) out of range" : "timestamp delta \(tsDelta) out of range")
                    break
                }
                if offset < fromOffset { continue }
                records.spans.append(RecordSpan(offset: offset,
                                                timestamp: logAppendTime ? header.maxTimestamp : createTime,
                                                keyStart: keyStart, keyCount: keyCount, valueStart: valueStart,
                                                valueCount: valueCount, headersIndex: headersIndex))
            }
            failure = r.failure
        }
        if let failure { throw KafkaError.decode("\(at): \(failure)") }
        return ConsumedRecordBatch(topic: topic, partition: partition, records: records, nextOffset: nextOffset,
                                   highWatermark: highWatermark, compression: codec)
    }

    /// A length-prefixed byte field as (start, count); count -1 for null.
    @inline(__always)
    static func span(_ r: inout WireReader) -> (Int, Int) {
        let n = Int(r.varint())
        if n < 0 { return (0, -1) }
        let p = r.pos
        r.skip(n)
        return r.ok ? (p, n) : (0, -1)
    }
}

/// The fixed 61-byte header of a record batch v2.
struct BatchHeader {
    var baseOffset: Int64
    var length: Int32
    var leaderEpoch: Int32
    var magic: Int8
    var crc: UInt32
    var attributes: Int16
    var lastOffsetDelta: Int32
    var firstTimestamp: Int64
    var maxTimestamp: Int64
    var producerId: Int64
    var producerEpoch: Int16
    var baseSequence: Int32
    var count: Int32
    var crcOK = false
    var recordsStart = 0

    init(reader r: inout WireReader) {
        baseOffset = r.int64()
        length = r.int32()
        leaderEpoch = r.int32()
        magic = r.int8()
        crc = r.uint32()
        attributes = r.int16()
        lastOffsetDelta = r.int32()
        firstTimestamp = r.int64()
        maxTimestamp = r.int64()
        producerId = r.int64()
        producerEpoch = r.int16()
        baseSequence = r.int32()
        count = r.int32()
    }
}
