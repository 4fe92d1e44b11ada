/// Decodes a whole compressed stream into one raw buffer that doubles when
/// full. Kept and reused by a caller that decodes object after object (one
/// grown allocation, no zero-filled Array per object); `Codec.decompress` uses
/// a fresh one and copies the result out once.
public final class DecompressionBuffer {
    private(set) var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// libdeflate's decompressor for whole gzip inputs (`decodeGzip`), made on
    /// first use and kept with the buffer: its tables are ~10 KiB.
    var deflate: DeflateDecompressor?

    public init(capacity: Int = 16 << 20) {
        self.capacity = max(capacity, 4096)
        storage = DecodeMemory.allocate(self.capacity)
    }

    deinit { DecodeMemory.deallocate(storage, capacity) }

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

    private func grow() { reserve(capacity * 2, keeping: capacity) }

    /// Makes room for at least `needed` bytes, keeping the first `keeping`.
    func reserve(_ needed: Int, keeping: Int) {
        guard needed > capacity else { return }
        let bigger = DecodeMemory.allocate(needed)
        bigger.copyMemory(from: storage, byteCount: keeping)
        DecodeMemory.deallocate(storage, capacity)
        storage = bigger
        capacity = needed
    }
}

/// Where decode buffers live. A buffer of an archive object's size (megabytes)
/// is written front to back once per object; on fresh 4 KiB pages each first
/// touch is a fault and a zeroed page (a gzip archive query on four workers
/// spent 15% of its CPU time in the kernel's page clearing). From 2 MiB on the
/// buffer is mapped on its own with huge pages (`PageMemory`).
enum DecodeMemory {
    static let hugeThreshold = 2 << 20

    static func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        #if canImport(Glibc)
        if byteCount >= hugeThreshold { return PageMemory.map(byteCount, hugePages: true) }
        #endif
        return .allocate(byteCount: byteCount, alignment: 16)
    }

    static func deallocate(_ p: UnsafeMutableRawPointer, _ byteCount: Int) {
        #if canImport(Glibc)
        if byteCount >= hugeThreshold { return PageMemory.unmap(p, byteCount) }
        #endif
        p.deallocate()
    }
}
