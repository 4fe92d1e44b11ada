/// What an encoder does after taking its input.
public enum EncodeMode: Sendable {
    /// Compress as data comes; output may lag behind input.
    case proceed
    /// Emit everything so far so a reader can decode it (at some ratio cost).
    case flush
    /// Emit everything and close the frame; the encoder is done after this.
    case finish
}

/// An incremental compressor that hands its output to `emit` in pieces of at
/// most its internal buffer size (bounded memory whatever the input size).
public protocol StreamEncoder: AnyObject {
    func encode(_ input: UnsafeRawBufferPointer, mode: EncodeMode,
                emit: (UnsafeRawBufferPointer) throws -> Void) throws
}

extension EncodeMode {
    /// The codec's own constant for this mode (zlib flush value, zstd directive).
    @inline(__always)
    func select<T>(proceed: T, flush: T, finish: T) -> T {
        switch self {
        case .proceed: return proceed
        case .flush: return flush
        case .finish: return finish
        }
    }
}

/// The streaming loop the gzip, zstd and LZ4 encoders share: call the codec's
/// `compress` step until it says the mode is satisfied, handing each filled
/// piece of the output buffer to `emit`, and refuse input after `.finish`.
/// A subclass supplies only the step.
public class BufferedStreamEncoder: StreamEncoder {
    /// What one step did: input bytes taken, output bytes written at the start
    /// of `buffer`, and whether `encode` is done (all input taken and, for
    /// `.flush`/`.finish`, everything emitted).
    struct Step {
        var consumed: Int
        var produced: Int
        var done: Bool
    }

    private let codec: CompressionCodec
    /// What `.finish` closes, for the error message ("stream", "frame").
    private let unit: StaticString
    let buffer: UnsafeMutableRawBufferPointer
    private var finished = false

    init(_ codec: CompressionCodec, closing unit: StaticString, bufferSize: Int) {
        self.codec = codec
        self.unit = unit
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    public final func encode(_ input: UnsafeRawBufferPointer, mode: EncodeMode,
                             emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { throw CodecError(codec, "write after the \(unit) was finished") }
        var offset = 0
        while true {
            let step = try compress(UnsafeRawBufferPointer(rebasing: input[offset...]), mode: mode)
            if step.produced > 0 { try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<step.produced])) }
            offset += step.consumed
            if step.done { break }
        }
        if mode == .finish { finished = true }
    }

    /// One call into the compressor: from the start of `input` (what is left
    /// of this `encode` call's input) into `buffer`.
    func compress(_ input: UnsafeRawBufferPointer, mode: EncodeMode) throws -> Step {
        preconditionFailure("\(Self.self) must override compress(_:mode:)")
    }
}

public func makeStreamEncoder(_ codec: CompressionCodec, level: Int? = nil) throws -> StreamEncoder? {
    switch codec {
    case .gzip: return try GzipEncoder(level: level ?? GzipEncoder.defaultLevel)
    case .lz4: return try LZ4FrameEncoder(level: level ?? 0)
    case .zstd: return try ZstdEncoder(level: level ?? ZstdEncoder.defaultLevel)
    case .none, .snappy: return nil
    }
}
