import CLZ4

/// LZ4 frame format encoding (LZ4F) with independent blocks, which every LZ4
/// frame reader supports (Kafka's Java client included).
public final class LZ4FrameEncoder: StreamEncoder {
    /// Input is fed in slices of this size so the output buffer can be sized
    /// once with `LZ4F_compressBound`.
    private static let sliceSize = 64 * 1024

    private var context: OpaquePointer?
    private var preferences: LZ4F_preferences_t
    private let buffer: UnsafeMutableRawBufferPointer
    private var started = false
    private var finished = false

    /// `level` 0 is LZ4's fast default; 3...12 select LZ4-HC.
    public init(level: Int = 0, blockSize: LZ4F_blockSizeID_t = LZ4F_max256KB, contentChecksum: Bool = true) throws {
        preferences = LZ4F_preferences_t()
        preferences.compressionLevel = Int32(level)
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.blockSizeID = blockSize
        preferences.frameInfo.contentChecksumFlag = contentChecksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum
        let rc = LZ4F_createCompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(rc) == 0, context != nil else {
            throw CodecError(.lz4, "cannot create compression context: \(String(cString: LZ4F_getErrorName(rc)))")
        }
        let bound = max(LZ4F_compressBound(Self.sliceSize, &preferences), LZ4F_HEADER_SIZE_MAX_VALUE)
        buffer = .allocate(byteCount: bound, alignment: 16)
    }

    deinit {
        LZ4F_freeCompressionContext(context)
        buffer.deallocate()
    }

    public func encode(_ input: UnsafeRawBufferPointer, mode: EncodeMode,
                       emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { throw CodecError(.lz4, "write after the frame was finished") }
        if !started {
            let n = LZ4F_compressBegin(context, buffer.baseAddress, buffer.count, &preferences)
            try emitResult(n, "compressBegin", emit)
            started = true
        }
        var offset = 0
        while offset < input.count {
            let chunk = min(Self.sliceSize, input.count - offset)
            let n = LZ4F_compressUpdate(context, buffer.baseAddress, buffer.count,
                                        input.baseAddress! + offset, chunk, nil)
            try emitResult(n, "compressUpdate", emit)
            offset += chunk
        }
        switch mode {
        case .proceed: break
        case .flush:
            try emitResult(LZ4F_flush(context, buffer.baseAddress, buffer.count, nil), "flush", emit)
        case .finish:
            try emitResult(LZ4F_compressEnd(context, buffer.baseAddress, buffer.count, nil), "compressEnd", emit)
            finished = true
        }
    }

    private func emitResult(_ n: Int, _ step: String, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        if LZ4F_isError(n) != 0 {
            throw CodecError(.lz4, "\(step) failed: \(String(cString: LZ4F_getErrorName(n)))")
        }
        if n > 0 { try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
    }
}

/// `LZ4F_HEADER_SIZE_MAX` (19) is a macro Swift cannot import.
private let LZ4F_HEADER_SIZE_MAX_VALUE = 19
