import CLZ4
import CZstd

/// One-shot compression of whole buffers: Kafka record batches, archive
/// objects. For files and streams use the sinks and `ByteSourceReader`.
public enum Codec {
    /// Compresses `input`. `level` is the codec's own scale (gzip 0–9, lz4 0–12,
    /// zstd 1–22); nil picks the codec's default. Snappy writes raw snappy.
    public static func compress(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer,
                                level: Int? = nil) throws -> [UInt8] {
        switch codec {
        case .none: return [UInt8](input)
        case .snappy: return try Snappy.compress(input)
        case .lz4: return try compressLZ4(input, level: level ?? 0)
        case .zstd: return try compressZstd(input, level: level ?? ZstdEncoder.defaultLevel)
        case .gzip:
            let encoder = try GzipEncoder(level: level ?? GzipEncoder.defaultLevel)
            var out: [UInt8] = []
            out.reserveCapacity(input.count / 3 + 64)
            try encoder.encode(input, mode: .finish) { out.append(contentsOf: $0) }
            return out
        }
    }

    /// Decompresses a whole buffer. gzip accepts concatenated members, lz4 and
    /// zstd concatenated frames; snappy accepts raw or xerial-framed input.
    /// `sizeHint` (the expected output size, if known) saves regrowing.
    public static func decompress(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer,
                                  sizeHint: Int = 0, limit: Int = .max) throws -> [UInt8] {
        switch codec {
        case .none:
            guard input.count <= limit else { throw CodecError(codec, "\(input.count) bytes, more than \(limit); refused") }
            return [UInt8](input)
        case .snappy: return try Snappy.decompress(input, limit: limit)
        case .gzip:
            guard input.count > 0 else { throw CodecError(codec, "no compressed data") }
            let buffer = DecompressionBuffer(capacity: 4096)
            // The result points into the buffer: it must outlive the copy.
            return try withExtendedLifetime(buffer) { [UInt8](try buffer.decodeGzip(input, limit: limit)) }
        case .lz4, .zstd:
            guard input.count > 0 else { throw CodecError(codec, "no compressed data") }
            guard let decoder = try makeStreamDecoder(codec) else { preconditionFailure("stream codec") }
            return try decodeAll(decoder, codec, input, sizeHint: min(sizeHint, limit), limit: limit)
        }
    }

    public static func compress(_ codec: CompressionCodec, _ input: [UInt8], level: Int? = nil) throws -> [UInt8] {
        try input.withUnsafeBytes { try compress(codec, $0, level: level) }
    }

    public static func decompress(_ codec: CompressionCodec, _ input: [UInt8], sizeHint: Int = 0,
                                  limit: Int = .max) throws -> [UInt8] {
        try input.withUnsafeBytes { try decompress(codec, $0, sizeHint: sizeHint, limit: limit) }
    }

    private static func decodeAll(_ decoder: StreamDecoder, _ codec: CompressionCodec,
                                  _ input: UnsafeRawBufferPointer, sizeHint: Int, limit: Int) throws -> [UInt8] {
        let buffer = DecompressionBuffer(capacity: max(sizeHint, min(input.count * 4, 64 << 20, limit)))
        return try withExtendedLifetime(buffer) { [UInt8](try buffer.decode(decoder, codec, input, limit: limit)) }
    }

    private static func compressLZ4(_ input: UnsafeRawBufferPointer, level: Int) throws -> [UInt8] {
        // Independent 64 KiB blocks, no checksums: the frame Kafka's clients write.
        var prefs = LZ4F_preferences_t()
        prefs.compressionLevel = Int32(level)
        prefs.frameInfo.blockMode = LZ4F_blockIndependent
        prefs.frameInfo.blockSizeID = LZ4F_max64KB
        let bound = LZ4F_compressFrameBound(input.count, &prefs)
        var rc = 0
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
            rc = LZ4F_compressFrame(buf.baseAddress, bound, input.baseAddress, input.count, &prefs)
            count = LZ4F_isError(rc) != 0 ? 0 : rc
        }
        if LZ4F_isError(rc) != 0 {
            throw CodecError(.lz4, "compression failed: \(String(cString: LZ4F_getErrorName(rc)))")
        }
        return out
    }

    private static func compressZstd(_ input: UnsafeRawBufferPointer, level: Int) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var rc = 0
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
            rc = ZSTD_compress(buf.baseAddress, bound, input.baseAddress, input.count, Int32(level))
            count = ZSTD_isError(rc) != 0 ? 0 : rc
        }
        if ZSTD_isError(rc) != 0 {
            throw CodecError(.zstd, "compression failed: \(String(cString: ZSTD_getErrorName(rc)))")
        }
        return out
    }
}
