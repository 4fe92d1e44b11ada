import CZlib

/// RFC 1952 gzip encoding with zlib's deflate.
public final class GzipEncoder: StreamEncoder {
    public static let defaultLevel = 6
    private static let bufferSize = 256 * 1024

    private let stream: UnsafeMutablePointer<z_stream>
    private let buffer: UnsafeMutableRawBufferPointer
    private var finished = false

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
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        buffer.deallocate()
    }

    public func encode(_ input: UnsafeRawBufferPointer, mode: EncodeMode,
                       emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { throw CodecError(.gzip, "write after the stream was finished") }
        let flush: Int32
        switch mode {
        case .proceed: flush = Z_NO_FLUSH
        case .flush: flush = Z_SYNC_FLUSH
        case .finish: flush = Z_FINISH
        }
        var offset = 0
        while true {
            // Feed at most 4 GiB at a time: avail_in is 32-bit.
            let chunk = min(input.count - offset, Int(UInt32.max))
            stream.pointee.next_in = chunk > 0
                ? UnsafeMutablePointer(mutating: (input.baseAddress! + offset).assumingMemoryBound(to: Bytef.self))
                : nil
            stream.pointee.avail_in = uInt(chunk)
            let last = offset + chunk == input.count
            let thisFlush = last ? flush : Z_NO_FLUSH
            var rc: Int32
            repeat {
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(buffer.count)
                rc = deflate(stream, thisFlush)
                if rc == Z_STREAM_ERROR { throw CodecError(.gzip, "deflate failed (stream state)") }
                let produced = buffer.count - Int(stream.pointee.avail_out)
                if produced > 0 { try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<produced])) }
                // Done when deflate left room in the buffer (it had nothing more to
                // say), except that Z_FINISH is done only at Z_STREAM_END.
            } while stream.pointee.avail_out == 0 || (thisFlush == Z_FINISH && rc != Z_STREAM_END)
            offset += chunk
            if last { break }
        }
        if mode == .finish { finished = true }
    }
}
