/// An incremental decompressor: fed compressed bytes in pieces of any size, it
/// writes decompressed bytes into caller-provided space. Used by
/// `ByteSourceReader` (files, stdin) and by the one-shot `Codec.decompress`.
public protocol StreamDecoder: AnyObject {
    /// Decompresses from `input` into `output`, returning how much of each was
    /// used. Call again with the unused input (or with empty input, to drain
    /// output held inside the decoder) until it produces nothing.
    func decode(_ input: UnsafeRawBufferPointer,
                into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int)

    /// True when every frame (gzip member) begun so far has been decoded to its
    /// end and fully flushed: end of input here is a clean end of stream.
    var isAtFrameEnd: Bool { get }
}

/// The incremental decoder for `codec`, or nil for `.none` and raw `.snappy`
/// (raw snappy is block-only; it is decoded one-shot).
public func makeStreamDecoder(_ codec: CompressionCodec) throws -> StreamDecoder? {
    switch codec {
    case .gzip: return IgzipDecoder()
    case .lz4: return try LZ4FrameDecoder()
    case .zstd: return try ZstdDecoder()
    case .none, .snappy: return nil
    }
}
