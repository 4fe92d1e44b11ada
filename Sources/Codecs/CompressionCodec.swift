/// The compressions secstream reads and writes: files (by extension on output,
/// by magic bytes on input), Kafka record batches and archive objects.
public enum CompressionCodec: String, Sendable, CaseIterable {
    case none, gzip, lz4, snappy, zstd

    /// Recognises a compressed stream by its first bytes. Raw snappy has no
    /// magic, so it is never detected here (Kafka names its codec explicitly).
    public static func detect(magic: UnsafeRawBufferPointer) -> CompressionCodec {
        if magic.count >= 2, magic[0] == 0x1f, magic[1] == 0x8b { return .gzip }
        guard magic.count >= 4 else { return .none }
        switch (magic[0], magic[1], magic[2], magic[3]) {
        case (0x04, 0x22, 0x4d, 0x18): return .lz4
        case (0x28, 0xb5, 0x2f, 0xfd): return .zstd
        default: return .none
        }
    }

    public static func detect(magic: [UInt8]) -> CompressionCodec {
        magic.withUnsafeBytes { detect(magic: $0) }
    }

    /// The codec an output path asks for by its extension (`.gz`, `.gzip`,
    /// `.lz4`, `.zst`); anything else is written plain.
    public static func fromExtension(path: String) -> CompressionCodec {
        let lower = path.lowercased()
        if lower.hasSuffix(".gz") || lower.hasSuffix(".gzip") { return .gzip }
        if lower.hasSuffix(".lz4") { return .lz4 }
        if lower.hasSuffix(".zst") || lower.hasSuffix(".zstd") { return .zstd }
        return .none
    }

    /// The file extension (without the dot) objects of this codec get, or nil.
    public var fileExtension: String? {
        switch self {
        case .none: return nil
        case .gzip: return "gz"
        case .lz4: return "lz4"
        case .snappy: return "snappy"
        case .zstd: return "zst"
        }
    }
}
