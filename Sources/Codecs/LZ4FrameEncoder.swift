import CLZ4

/// LZ4 frame format encoding (LZ4F) with independent blocks, which every LZ4
/// frame reader supports (Kafka's Java client included).
public final class LZ4FrameEncoder: BufferedStreamEncoder {
    /// Input is fed in slices of this size so the output buffer can be sized
    /// once with `LZ4F_compressBound`.
    private static let sliceSize = 64 * 1024

    private var context: OpaquePointer?
    private var preferences: LZ4F_preferences_t
    private var started = false

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
        super.init(.lz4, closing: "frame", bufferSize: bound)
    }

    deinit { LZ4F_freeCompressionContext(context) }

    /// The frame header first, then one input slice a step, then what the mode asks for.
    override func compress(_ input: UnsafeRawBufferPointer, mode: EncodeMode) throws -> Step {
        if !started {
            let n = try check(LZ4F_compressBegin(context, buffer.baseAddress, buffer.count, &preferences), "compressBegin")
            started = true
            return Step(consumed: 0, produced: n, done: false)
        }
        if input.count > 0 {
            let chunk = min(Self.sliceSize, input.count)
            let n = LZ4F_compressUpdate(context, buffer.baseAddress, buffer.count, input.baseAddress, chunk, nil)
            return Step(consumed: chunk, produced: try check(n, "compressUpdate"), done: false)
        }
        switch mode {
        case .proceed:
            return Step(consumed: 0, produced: 0, done: true)
        case .flush:
            let n = try check(LZ4F_flush(context, buffer.baseAddress, buffer.count, nil), "flush")
            return Step(consumed: 0, produced: n, done: true)
        case .finish:
            let n = try check(LZ4F_compressEnd(context, buffer.baseAddress, buffer.count, nil), "compressEnd")
            return Step(consumed: 0, produced: n, done: true)
        }
    }

    private func check(_ n: Int, _ step: String) throws -> Int {
        if LZ4F_isError(n) != 0 {
            throw CodecError(.lz4, "\(step) failed: \(String(cString: LZ4F_getErrorName(n)))")
        }
        return n
    }
}

/// `LZ4F_HEADER_SIZE_MAX` (19) is a macro Swift cannot import.
private let LZ4F_HEADER_SIZE_MAX_VALUE = 19
