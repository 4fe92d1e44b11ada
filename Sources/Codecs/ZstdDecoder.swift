import CZstd

/// Zstandard frame decoding with the streaming API, so frames without a
/// declared content size and concatenated frames decode too.
public final class ZstdDecoder: StreamDecoder {
    private let stream: OpaquePointer
    public private(set) var isAtFrameEnd = true

    public init() throws {
        guard let s = ZSTD_createDStream() else { throw CodecError(.zstd, "cannot create decompression stream") }
        stream = s
        let rc = ZSTD_initDStream(stream)
        if ZSTD_isError(rc) != 0 {
            ZSTD_freeDStream(stream)
            throw CodecError(.zstd, "cannot initialise decompression stream: \(String(cString: ZSTD_getErrorName(rc)))")
        }
    }

    deinit { ZSTD_freeDStream(stream) }

    public func decode(_ input: UnsafeRawBufferPointer,
                       into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int) {
        var inBuf = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuf = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        while outBuf.pos < outBuf.size {
            if inBuf.pos == inBuf.size && isAtFrameEnd { break }
            let inBefore = inBuf.pos, outBefore = outBuf.pos
            let rc = ZSTD_decompressStream(stream, &outBuf, &inBuf)
            if ZSTD_isError(rc) != 0 {
                throw CodecError(.zstd, "corrupt data (\(String(cString: ZSTD_getErrorName(rc))))")
            }
            let progressed = inBuf.pos != inBefore || outBuf.pos != outBefore
            // 0 means: a frame is completely decoded and flushed.
            if progressed { isAtFrameEnd = (rc == 0) }
            if !progressed { break }
        }
        return (inBuf.pos, outBuf.pos)
    }
}
