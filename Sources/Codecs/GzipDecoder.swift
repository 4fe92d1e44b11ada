import CZlib

/// RFC 1952 gzip decoding with zlib's inflate. Concatenated members (as
/// written by `cat a.gz b.gz` or by appending writers) decode as one stream.
public final class GzipDecoder: StreamDecoder {
    // zlib keeps a back pointer to its z_stream and checks it on every call,
    // so the stream must live at a stable heap address.
    private let stream: UnsafeMutablePointer<z_stream>
    public private(set) var isAtFrameEnd = true

    public init() throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16: gzip wrapper only, 32 KiB window.
        let rc = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            throw CodecError(.gzip, "inflateInit2 failed (zlib code \(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    public func decode(_ input: UnsafeRawBufferPointer,
                       into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int) {
        var consumed = 0
        var produced = 0
        while produced < output.count {
            let inLeft = min(input.count - consumed, Int(UInt32.max))
            if inLeft == 0 && isAtFrameEnd { break }
            let outLeft = min(output.count - produced, Int(UInt32.max))
            stream.pointee.next_in = inLeft > 0
                ? UnsafeMutablePointer(mutating: (input.baseAddress! + consumed).assumingMemoryBound(to: Bytef.self))
                : nil
            stream.pointee.avail_in = uInt(inLeft)
            stream.pointee.next_out = (output.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(outLeft)
            let rc = inflate(stream, Z_NO_FLUSH)
            let usedIn = inLeft - Int(stream.pointee.avail_in)
            let usedOut = outLeft - Int(stream.pointee.avail_out)
            consumed += usedIn
            produced += usedOut
            if usedIn > 0 { isAtFrameEnd = false }
            switch rc {
            case Z_STREAM_END:
                // End of one member; another may follow.
                isAtFrameEnd = true
                inflateReset(stream)
                continue
            case Z_OK, Z_BUF_ERROR:
                if usedIn == 0 && usedOut == 0 { return (consumed, produced) }
            case Z_NEED_DICT:
                throw CodecError(.gzip, "stream needs a preset dictionary")
            case Z_MEM_ERROR:
                throw CodecError(.gzip, "out of memory")
            default:
                throw CodecError(.gzip, "corrupt data (\(zlibMessage(rc)))")
            }
        }
        return (consumed, produced)
    }

    private func zlibMessage(_ rc: Int32) -> String {
        if let msg = stream.pointee.msg { return String(cString: msg) }
        return "zlib code \(rc)"
    }
}
