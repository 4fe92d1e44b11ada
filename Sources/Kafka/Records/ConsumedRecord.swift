/// One record read from Kafka. Key and value are slices of the batch's
/// shared buffer (the fetch response, or the decompressed records), so
/// reading a record copies no payload bytes.
public struct ConsumedRecord {
    public var offset: Int64
    /// Milliseconds since the epoch (create time or log-append time, per the batch).
    public var timestamp: Int64
    public var key: ArraySlice<UInt8>?
    public var value: ArraySlice<UInt8>?
    /// Empty (and allocation-free) for records without headers.
    public var headers: [RecordHeader]
}

/// Where one record's parts sit in the batch's buffer. Plain integers: the
/// decoder appends one per record and the consumer walks them without a
/// reference count per key and value (those were a tenth of a consume's CPU).
struct RecordSpan {
    var offset: Int64
    var timestamp: Int64
    var keyStart: Int
    /// -1: a null key.
    var keyCount: Int
    var valueStart: Int
    /// -1: a null value.
    var valueCount: Int
    /// Index into `ConsumedRecords.headers`, or -1 for none (the common case).
    var headersIndex: Int
}

/// The records of one batch, in offset order: a collection of
/// `ConsumedRecord`s made on access, over one buffer and a flat span table.
/// Hot loops use `withValues` instead and see the bytes in place.
public struct ConsumedRecords: RandomAccessCollection {
    let storage: [UInt8]
    var spans: [RecordSpan]
    var headers: [[RecordHeader]]

    init(storage: [UInt8], spans: [RecordSpan] = [], headers: [[RecordHeader]] = []) {
        self.storage = storage
        self.spans = spans
        self.headers = headers
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { spans.count }

    public subscript(i: Int) -> ConsumedRecord {
        let s = spans[i]
        return ConsumedRecord(offset: s.offset, timestamp: s.timestamp,
                              key: s.keyCount < 0 ? nil : storage[s.keyStart..<(s.keyStart + s.keyCount)],
                              value: s.valueCount < 0 ? nil : storage[s.valueStart..<(s.valueStart + s.valueCount)],
                              headers: s.headersIndex < 0 ? [] : headers[s.headersIndex])
    }

    /// The offset of record `i` without making the record.
    public func offset(at i: Int) -> Int64 { spans[i].offset }

    /// The buffer every record's key and value is a range of: the fetch
    /// response, or the batch's decompressed records (shared, not copied).
    public var buffer: [UInt8] { storage }

    /// Calls `body(offset, start, count)` for records `range`: where each
    /// value sits in `buffer` (count -1 for a null value). For a consumer
    /// that keeps `buffer` and refers to the values instead of copying them.
    public func withValueRanges(_ range: Range<Int>, _ body: (_ offset: Int64, _ start: Int, _ count: Int) -> Void) {
        spans.withUnsafeBufferPointer { spans in
            for i in range {
                let s = spans[i]
                body(s.offset, s.valueStart, s.valueCount)
            }
        }
    }

    /// Calls `body(offset, value)` for records `range` with each value's bytes
    /// in place (nil for a null value), valid only during the call.
    public func withValues(_ range: Range<Int>, _ body: (Int64, UnsafeRawBufferPointer?) -> Void) {
        storage.withUnsafeBytes { raw in
            spans.withUnsafeBufferPointer { spans in
                for i in range {
                    let s = spans[i]
                    body(s.offset, s.valueCount < 0 ? nil : UnsafeRawBufferPointer(rebasing: raw[s.valueStart..<(s.valueStart + s.valueCount)]))
                }
            }
        }
    }
}

/// The records of one record batch of one partition, in offset order.
public struct ConsumedRecordBatch {
    public var topic: String
    public var partition: Int32
    public var records: ConsumedRecords
    /// The offset to fetch after this batch (last offset + 1).
    public var nextOffset: Int64
    /// The partition's high watermark at fetch time (the log end for
    /// committed reads), useful for lag and for knowing when input is drained.
    public var highWatermark: Int64
    /// How the batch was compressed on the wire.
    public var compression: RecordCompression = .none
}
