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

/// The records of one record batch of one partition, in offset order.
public struct ConsumedRecordBatch {
    public var topic: String
    public var partition: Int32
    public var records: [ConsumedRecord]
    /// The offset to fetch after this batch (last offset + 1).
    public var nextOffset: Int64
    /// The partition's high watermark at fetch time (the log end for
    /// committed reads), useful for lag and for knowing when input is drained.
    public var highWatermark: Int64
    /// How the batch was compressed on the wire.
    public var compression: RecordCompression = .none
}
