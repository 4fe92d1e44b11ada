import CZlib

/// RFC 1952 gzip encoding with zlib's deflate.
public final class GzipEncoder: BufferedStreamEncoder {
    public static let defaultLevel = 6
    private static let bufferSize = 256 * 1024

    private let stream: UnsafeMutablePointer<z_stream>

    public init(level: Int = GzipEncoder.defaultLevel) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16 writes a gzip header and trailer; memLevel 8 is zlib's default.
        let rc = deflateInit2_(stream, Int32(max(0, min(9, level))), Z_DEFLATED, 15 + 16, 8,
                               Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            throw CodecError(.gzip, "deflateInit2 failed (zlib code \(rc))")
        }
        super.init(.gzip, closing: "stream", bufferSize: Self.bufferSize)
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    override func compress(_ input: UnsafeRawBufferPointer, mode: EncodeMode) throws -> Step {
        // Feed at most 4 GiB at a time (avail_in is 32-bit). Input zlib still
        // holds from the previous step (it starts where `input` does) is the
        // rest of the same slice.
        let held = UnsafeRawPointer(stream.pointee.next_in) == input.baseAddress
            ? min(Int(stream.pointee.avail_in), input.count) : 0
        let chunk = held > 0 ? held : min(input.count, Int(UInt32.max))
        stream.pointee.next_in = chunk > 0
            ? UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
            : nil
        stream.pointee.avail_in = uInt(chunk)
        let last = chunk == input.count
        let flush = last ? mode.select(proceed: Z_NO_FLUSH, flush: Z_SYNC_FLUSH, finish: Z_FINISH) : Z_NO_FLUSH
        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(buffer.count)
        let rc = deflate(stream, flush)
        if rc == Z_STREAM_ERROR { throw CodecError(.gzip, "deflate failed (stream state)") }
        // Done when deflate left room in the buffer (it had nothing more to
        // say) on the last slice, except that Z_FINISH is done only at Z_STREAM_END.
        let done = last && stream.pointee.avail_out != 0 && (flush != Z_FINISH || rc == Z_STREAM_END)
        return Step(consumed: chunk - Int(stream.pointee.avail_in),
                    produced: buffer.count - Int(stream.pointee.avail_out), done: done)
    }
}
