/// What an encoder does after taking its input.
public enum EncodeMode: Sendable {
    /// Compress as data comes; output may lag behind input.
    case proceed
    /// Emit everything so far so a reader can decode it (at some ratio cost).
    case flush
    /// Emit everything and close the frame; the encoder is done after this.
    case finish
}

/// An incremental compressor that hands its output to `emit` in pieces of at
/// most its internal buffer size (bounded memory whatever the input size).
public protocol StreamEncoder: AnyObject {
    func encode(_ input: UnsafeRawBufferPointer, mode: EncodeMode,
                emit: (UnsafeRawBufferPointer) throws -> Void) throws
}

public func makeStreamEncoder(_ codec: CompressionCodec, level: Int? = nil) throws -> StreamEncoder? {
    switch codec {
    case .gzip: return try GzipEncoder(level: level ?? GzipEncoder.defaultLevel)
    case .lz4: return try LZ4FrameEncoder(level: level ?? 0)
    case .zstd: return try ZstdEncoder(level: level ?? ZstdEncoder.defaultLevel)
    case .none, .snappy: return nil
    }
}
