import Codecs

/// A decompression buffer kept by one query worker and reused object after
/// object: one grown allocation instead of a fresh (page-faulted) buffer and
/// a copy into an Array per object.
final class ArchiveDecodeBuffer {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int

    init(capacity: Int = 16 << 20) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Decompresses a whole object; the result is valid until the next call.
    /// Throws a `CodecError` for corrupt or truncated input.
    func decode(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer {
        guard let decoder = try makeStreamDecoder(codec) else {
            return input  // stored uncompressed
        }
        guard input.count > 0 else { throw CodecError(codec, "empty object") }
        var consumed = 0
        var produced = 0
        while true {
            if produced == capacity { grow() }
            let (used, made) = try decoder.decode(
                UnsafeRawBufferPointer(rebasing: input[consumed...]),
                into: UnsafeMutableRawBufferPointer(start: storage + produced, count: capacity - produced))
            consumed += used
            produced += made
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
