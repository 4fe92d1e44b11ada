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

/// The most a batch's records may decompress to: what one response frame may
/// hold (`BrokerConnection.maxFrameSize`). The ratio is the producer's choice,
/// so without a bound a few kilobytes could ask for gigabytes.
public let maxDecompressedBatchBytes = BrokerConnection.maxFrameSize

/// Decompresses a batch's records section; snappy accepts Kafka's xerial framing.
func decompressRecords(_ bytes: UnsafeRawBufferPointer, _ compression: RecordCompression,
                       limit: Int = maxDecompressedBatchBytes) throws -> [UInt8] {
    try Codec.decompress(compression.codec, bytes, sizeHint: min(bytes.count * 4, limit), limit: limit)
}
