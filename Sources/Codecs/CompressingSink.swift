/// A sink that compresses everything written to it into another sink, in a
/// streaming way: memory stays bounded by the encoder's buffers.
/// `flush` makes everything written so far decodable by a reader (sync flush),
/// `close` ends the frame and closes the wrapped sink.
public class CompressingSink: ByteSink {
    public let inner: ByteSink
    private let encoder: StreamEncoder
    private var closed = false

    public init(encoder: StreamEncoder, wrapping inner: ByteSink) {
        self.encoder = encoder
        self.inner = inner
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !closed else { throw IOError(path: "<compressed output>", "write after close") }
        guard bytes.count > 0 else { return }
        try encoder.encode(bytes, mode: .proceed) { try inner.write($0) }
    }

    public func flush() throws {
        guard !closed else { return }
        try encoder.encode(UnsafeRawBufferPointer(start: nil, count: 0), mode: .flush) { try inner.write($0) }
        try inner.flush()
    }

    public func close() throws {
        guard !closed else { return }
        closed = true
        try encoder.encode(UnsafeRawBufferPointer(start: nil, count: 0), mode: .finish) { try inner.write($0) }
        try inner.close()
    }
}

/// gzip (RFC 1952) output, e.g. `alerts.ndjson.gz`.
public final class GzipSink: CompressingSink {
    public init(wrapping inner: ByteSink, level: Int = GzipEncoder.defaultLevel) throws {
        super.init(encoder: try GzipEncoder(level: level), wrapping: inner)
    }
}

/// LZ4 frame output, e.g. `events.ndjson.lz4`.
public final class LZ4FrameSink: CompressingSink {
    public init(wrapping inner: ByteSink, level: Int = 0) throws {
        super.init(encoder: try LZ4FrameEncoder(level: level), wrapping: inner)
    }
}

/// Zstandard frame output, e.g. `events.ndjson.zst`.
public final class ZstdSink: CompressingSink {
    public init(wrapping inner: ByteSink, level: Int = ZstdEncoder.defaultLevel) throws {
        super.init(encoder: try ZstdEncoder(level: level), wrapping: inner)
    }
}
