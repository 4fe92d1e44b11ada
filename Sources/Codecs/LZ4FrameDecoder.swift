import CLZ4

/// LZ4 frame format decoding (LZ4F). Concatenated frames and skippable frames
/// decode as one stream.
public final class LZ4FrameDecoder: StreamDecoder {
    private var context: OpaquePointer?
    public private(set) var isAtFrameEnd = true

    public init() throws {
        let rc = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(rc) == 0, context != nil else {
            throw CodecError(.lz4, "cannot create decompression context: \(String(cString: LZ4F_getErrorName(rc)))")
        }
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    public func decode(_ input: UnsafeRawBufferPointer,
                       into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int) {
        var consumed = 0
        var produced = 0
        // LZ4F accepts an empty source to drain held output, but wants a pointer.
        var empty: UInt8 = 0
        while produced < output.count {
            let inLeft = input.count - consumed
            if inLeft == 0 && isAtFrameEnd { break }
            var srcSize = inLeft
            var dstSize = output.count - produced
            let hint = withUnsafeMutablePointer(to: &empty) { emptyPtr -> Int in
                let src = inLeft > 0 ? UnsafeRawPointer(input.baseAddress! + consumed) : UnsafeRawPointer(emptyPtr)
                return LZ4F_decompress(context, output.baseAddress! + produced, &dstSize, src, &srcSize, nil)
            }
            if LZ4F_isError(hint) != 0 {
                throw CodecError(.lz4, "corrupt data (\(String(cString: LZ4F_getErrorName(hint))))")
            }
            consumed += srcSize
            produced += dstSize
            if srcSize > 0 || dstSize > 0 { isAtFrameEnd = (hint == 0) }
            if srcSize == 0 && dstSize == 0 { break }
        }
        return (consumed, produced)
    }
}
