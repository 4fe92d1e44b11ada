import CDeflate

/// Whole-buffer gzip decoding with libdeflate: 2–3× zlib's inflate when the
/// compressed input is all in memory (archive objects, Kafka batches), since
/// it decodes straight into the output without zlib's sliding window and
/// per-call state machine. Input that arrives in pieces (files, stdin) stays
/// on zlib (`GzipDecoder`): libdeflate needs a whole member at once.
///
/// Success is libdeflate's (CRC-32 and length of every member checked).
/// Anything else — corrupt, truncated, trailing garbage — is decoded again
/// by the zlib stream decoder, which names the failure the way every other
/// input's failure is named; so the two decoders cannot disagree on what is
/// an error, only on how fast a good input decodes.
final class DeflateDecompressor {
    private let handle: OpaquePointer

    init() {
        guard let handle = libdeflate_alloc_decompressor() else { fatalError("libdeflate: out of memory") }
        self.handle = handle
    }

    deinit { libdeflate_free_decompressor(handle) }

    /// A member cannot expand more than 1032:1 (DEFLATE's longest match per
    /// shortest code), so a lying size field cannot make us reserve more.
    private static let maxRatio = 1032

    /// Decodes every member of `input` into `buffer` (from offset 0). Returns
    /// the decoded length, or nil when libdeflate rejects the input (the caller
    /// lets zlib name why). Throws only for output past `limit`.
    func decode(_ input: UnsafeRawBufferPointer, into buffer: DecompressionBuffer, limit: Int) throws -> Int? {
        guard let base = input.baseAddress, input.count >= 18 else { return nil }
        // The last member's trailer ends the input with its length mod 2^32:
        // for the usual single member, exactly the room needed.
        let tail = base + input.count - 4
        let stated = Int(tail.load(fromByteOffset: 0, as: UInt8.self)) | Int(tail.load(fromByteOffset: 1, as: UInt8.self)) << 8
            | Int(tail.load(fromByteOffset: 2, as: UInt8.self)) << 16 | Int(tail.load(fromByteOffset: 3, as: UInt8.self)) << 24
        let ceiling = limit == .max ? Int.max : limit + 1
        buffer.reserve(min(max(stated, 64), input.count * Self.maxRatio, ceiling), keeping: 0)
        var consumed = 0
        var produced = 0
        while consumed < input.count {
            var used = 0
            var made = 0
            let room = min(buffer.capacity, ceiling) - produced
            let rc = libdeflate_gzip_decompress_ex(handle, base + consumed, input.count - consumed,
                                                   buffer.storage + produced, room, &used, &made)
            switch rc {
            case LIBDEFLATE_SUCCESS:
                consumed += used
                produced += made
            case LIBDEFLATE_INSUFFICIENT_SPACE:
                // The member is larger than the room: retry it with twice the room,
                // up to the limit (past it, the input is refused as a bomb).
                if produced + room >= ceiling {
                    throw CodecError(.gzip, "decompresses to more than \(limit) bytes (from \(input.count)); refused")
                }
                let grown = min(max(buffer.capacity * 2, produced + (input.count - consumed) * 4), ceiling,
                                produced + (input.count - consumed) * Self.maxRatio)
                guard grown > buffer.capacity else { return nil }
                buffer.reserve(grown, keeping: produced)
            default:
                return nil
            }
        }
        if produced > limit {
            throw CodecError(.gzip, "decompresses to more than \(limit) bytes (from \(input.count)); refused")
        }
        return produced
    }
}

extension DecompressionBuffer {
    /// A whole gzip input (one or more members), decoded with libdeflate; the
    /// zlib stream decoder when libdeflate rejects it, for its diagnosis. The
    /// result is valid until the next call.
    public func decodeGzip(_ input: UnsafeRawBufferPointer, limit: Int = .max) throws -> UnsafeRawBufferPointer {
        if deflate == nil { deflate = DeflateDecompressor() }
        if let length = try deflate!.decode(input, into: self, limit: limit) {
            return UnsafeRawBufferPointer(start: storage, count: length)
        }
        return try decode(GzipDecoder(), .gzip, input, limit: limit)
    }
}
