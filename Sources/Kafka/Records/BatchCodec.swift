import Codecs

extension RecordCompression {
    /// The Codecs module's codec for this batch compression.
    var codec: CompressionCodec {
        switch self {
        case .none: return .none
        case .gzip: return .gzip
        case .snappy: return .snappy
        case .lz4: return .lz4
        case .zstd: return .zstd
        }
    }

    /// Codecs this client writes. Snappy is read-only: Kafka's snappy batches
    /// use xerial framing, which the Codecs module reads but does not write.
    public var canProduce: Bool { self != .snappy }
}

/// Compresses a batch's records section (gzip, LZ4 frame, zstd).
func compressRecords(_ bytes: [UInt8], _ compression: RecordCompression, level: Int? = nil) throws -> [UInt8] {
    do {
        return try Codec.compress(compression.codec, bytes, level: level)
    } catch {
        throw KafkaError.compression("\(compression) compress: \(error)")
    }
}

/// Decompresses a batch's records section; snappy accepts Kafka's xerial framing.
func decompressRecords(_ bytes: UnsafeRawBufferPointer, _ compression: RecordCompression) throws -> [UInt8] {
    try Codec.decompress(compression.codec, bytes, sizeHint: bytes.count * 4)
}
