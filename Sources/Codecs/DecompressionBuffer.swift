/// Decodes a whole compressed stream into one raw buffer that doubles when
/// full. Kept and reused by a caller that decodes object after object (one
/// grown allocation, no zero-filled Array per object); `Codec.decompress` uses
/// a fresh one and copies the result out once.
public final class DecompressionBuffer {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int

    public init(capacity: Int = 16 << 20) {
        self.capacity = max(capacity, 4096)
        storage = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Runs `decoder` over all of `input`; the result is valid until the next
    /// call. Throws a `CodecError` for trailing garbage, a truncated frame, or
    /// output past `limit` bytes (a decompression bomb: the input's sender
    /// chose the ratio, so the caller bounds what it will hold).
    public func decode(_ decoder: StreamDecoder, _ codec: CompressionCodec,
                       _ input: UnsafeRawBufferPointer, limit: Int = .max) throws -> UnsafeRawBufferPointer {
        var consumed = 0
        var produced = 0
        while true {
            if produced == capacity { grow() }
            // One byte past the limit is room enough to see it crossed.
            let room = limit == .max ? capacity - produced : min(capacity, limit + 1) - produced
            let (used, made) = try decoder.decode(
                UnsafeRawBufferPointer(rebasing: input[consumed...]),
                into: UnsafeMutableRawBufferPointer(start: storage + produced, count: room))
            consumed += used
            produced += made
            if produced > limit {
                throw CodecError(codec, "decompresses to more than \(limit) bytes (from \(input.count)); refused")
            }
            if used == 0 && made == 0 { break }
        }
        guard consumed == input.count else {
            throw CodecError(codec, "\(input.count - consumed) undecodable bytes after byte \(consumed)")
        }
        guard decoder.isAtFrameEnd else {
            throw CodecError(codec, "truncated input: stream ends inside a frame after \(input.count) bytes")
        }
        return UnsafeRawBufferPointer(start: storage, count: produced)
    }

    private func grow() {
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
        bigger.copyMemory(from: storage, byteCount: capacity)
        storage.deallocate()
        storage = bigger
        capacity *= 2
    }
}
