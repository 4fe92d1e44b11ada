import CZstd

/// Zstandard frame encoding with the streaming API; frames carry a checksum.
public final class ZstdEncoder: BufferedStreamEncoder {
    public static let defaultLevel = 3

    private let stream: OpaquePointer

    public init(level: Int = ZstdEncoder.defaultLevel) throws {
        guard let s = ZSTD_createCCtx() else { throw CodecError(.zstd, "cannot create compression context") }
        stream = s
        for (param, value) in [(ZSTD_c_compressionLevel, Int32(level)), (ZSTD_c_checksumFlag, 1)] {
            let rc = ZSTD_CCtx_setParameter(stream, param, value)
            if ZSTD_isError(rc) != 0 {
                ZSTD_freeCCtx(stream)
                throw CodecError(.zstd, "cannot set parameter: \(String(cString: ZSTD_getErrorName(rc)))")
            }
        }
        super.init(.zstd, closing: "frame", bufferSize: ZSTD_CStreamOutSize())
    }

    deinit { ZSTD_freeCCtx(stream) }

    override func compress(_ input: UnsafeRawBufferPointer, mode: EncodeMode) throws -> Step {
        let op = mode.select(proceed: ZSTD_e_continue, flush: ZSTD_e_flush, finish: ZSTD_e_end)
        var inBuf = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuf = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
        let remaining = ZSTD_compressStream2(stream, &outBuf, &inBuf, op)
        if ZSTD_isError(remaining) != 0 {
            throw CodecError(.zstd, "compression failed: \(String(cString: ZSTD_getErrorName(remaining)))")
        }
        // continue: done once all input is taken; flush/end: once nothing remains to emit.
        let done = op == ZSTD_e_continue ? inBuf.pos == inBuf.size : remaining == 0
        return Step(consumed: inBuf.pos, produced: outBuf.pos, done: done)
    }
}
