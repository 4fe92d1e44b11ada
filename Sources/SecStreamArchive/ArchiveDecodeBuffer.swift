import SecStreamCore
import Codecs

/// A decompression buffer kept by one query worker and reused object after
/// object: one grown allocation instead of a fresh (page-faulted) buffer and
/// a copy into an Array per object.
public final class ArchiveDecodeBuffer {
    private let buffer: DecompressionBuffer

    public init(capacity: Int = 16 << 20) {
        buffer = DecompressionBuffer(capacity: capacity)
    }

    /// Decompresses a whole object; the result is valid until the next call.
    /// Throws a `CodecError` for corrupt or truncated input.
    public func decode(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer {
        guard let decoder = try makeStreamDecoder(codec) else {
            return input  // stored uncompressed
        }
        guard input.count > 0 else { throw CodecError(codec, "empty object") }
        if codec == .gzip { return try buffer.decodeGzip(input) }
        return try buffer.decode(decoder, codec, input)
    }
}
