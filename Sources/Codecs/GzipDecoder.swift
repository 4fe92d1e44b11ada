import CZlib

/// RFC 1952 gzip decoding with zlib's inflate. Concatenated members (as
/// written by `cat a.gz b.gz` or by appending writers) decode as one stream.
public final class GzipDecoder: GzipMemberLoop {
    // zlib keeps a back pointer to its z_stream and checks it on every call,
    // so the stream must live at a stable heap address.
    private let stream: UnsafeMutablePointer<z_stream>
    public internal(set) var isAtFrameEnd = true

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
        try decodeMembers(input, into: output)
    }

    func inflateStep(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws
        -> (usedIn: Int, usedOut: Int, memberEnded: Bool) {
        stream.pointee.next_in = input.count > 0
            ? UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
            : nil
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let rc = inflate(stream, Z_NO_FLUSH)
        let used = (input.count - Int(stream.pointee.avail_in), output.count - Int(stream.pointee.avail_out))
        switch rc {
        case Z_STREAM_END:
            // End of one member; another may follow.
            inflateReset(stream)
            return (used.0, used.1, true)
        case Z_OK, Z_BUF_ERROR:
            return (used.0, used.1, false)
        case Z_NEED_DICT:
            throw CodecError(.gzip, "stream needs a preset dictionary")
        case Z_MEM_ERROR:
            throw CodecError(.gzip, "out of memory")
        default:
            throw CodecError(.gzip, "corrupt data (\(zlibMessage(rc)))")
        }
    }

    private func zlibMessage(_ rc: Int32) -> String {
        if let msg = stream.pointee.msg { return String(cString: msg) }
        return "zlib code \(rc)"
    }
}
