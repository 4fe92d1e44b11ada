import CZstd

/// Zstandard frame encoding with the streaming API; frames carry a checksum.
public final class ZstdEncoder: StreamEncoder {
    public static let defaultLevel = 3

    private let stream: OpaquePointer
    private let buffer: UnsafeMutableRawBufferPointer
    private var finished = false

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
        buffer = .allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
    }

    deinit {
        ZSTD_freeCCtx(stream)
        buffer.deallocate()
    }

    public func encode(_ input: UnsafeRawBufferPointer, mode: EncodeMode,
                       emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { throw CodecError(.zstd, "write after the frame was finished") }
        let op: ZSTD_EndDirective
        switch mode {
        case .proceed: op = ZSTD_e_continue
        case .flush: op = ZSTD_e_flush
        case .finish: op = ZSTD_e_end
        }
        var inBuf = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var outBuf = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            let remaining = ZSTD_compressStream2(stream, &outBuf, &inBuf, op)
            if ZSTD_isError(remaining) != 0 {
                throw CodecError(.zstd, "compression failed: \(String(cString: ZSTD_getErrorName(remaining)))")
            }
            if outBuf.pos > 0 { try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<outBuf.pos])) }
            // continue: done once all input is taken; flush/end: once nothing remains to emit.
            let done = op == ZSTD_e_continue ? inBuf.pos == inBuf.size : remaining == 0
            if done { break }
        }
        if mode == .finish { finished = true }
    }
}
