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

    /// The first Produce version a broker accepts this codec in: zstd came
    /// with Kafka 2.1 (KIP-110), whose brokers refuse it in older versions.
    public var minimumProduceVersion: Int16 { self == .zstd ? 7 : 0 }
}

/// Compresses a batch's records section: gzip, LZ4 frame, zstd frame, or a
/// raw snappy block. Raw snappy is what librdkafka and the other non-Java
/// clients write; Java's reader accepts it as well as its own xerial framing.
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
