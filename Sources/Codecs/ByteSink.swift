/// Where output bytes go: a file, stdout, memory, or a compressor wrapping one
/// of those. Writes are buffered by the sink; `flush` pushes them to the
/// destination, `close` flushes and releases it (a sink is unusable after).
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    func flush() throws
    func close() throws
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
}

/// Opens `path` for writing ("-" is stdout) and picks the compression by its
/// extension: `.gz`/`.gzip` gzip, `.lz4` LZ4 frame, `.zst` zstd, else plain.
public func openOutputSink(_ path: String, syncOnClose: Bool = false) throws -> ByteSink {
    let file = try FileSink(path: path, syncOnClose: syncOnClose)
    return try wrapSink(file, codec: CompressionCodec.fromExtension(path: path))
}

/// Wraps `sink` in the compressor for `codec` (`.none` returns it unchanged).
public func wrapSink(_ sink: ByteSink, codec: CompressionCodec, level: Int? = nil) throws -> ByteSink {
    switch codec {
    case .none: return sink
    case .gzip: return try GzipSink(wrapping: sink, level: level ?? GzipEncoder.defaultLevel)
    case .lz4: return try LZ4FrameSink(wrapping: sink, level: level ?? 0)
    case .zstd: return try ZstdSink(wrapping: sink, level: level ?? ZstdEncoder.defaultLevel)
    case .snappy: throw CodecError(.snappy, "raw snappy has no stream format; not available for output files")
    }
}
