import CSnappy

/// Snappy: raw blocks (what Kafka clients other than Java write) and, on
/// decode, the xerial framing that Kafka's Java client writes:
/// magic `82 53 4e 41 50 50 59 00`, version and compat (big-endian Int32),
/// then blocks each prefixed by a big-endian Int32 length.
enum Snappy {
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]
    static let xerialHeaderSize = 16
    /// Snappy's largest expansion: a 3-byte copy element makes 64 bytes.
    static let maxExpansion = 22

    static func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        let bound = snappy_max_compressed_length(input.count)
        var status = SNAPPY_OK
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
            var length = bound
            status = snappy_compress(input.baseAddress?.assumingMemoryBound(to: CChar.self) ?? emptySource,
                                     input.count, UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self),
                                     &length)
            count = status == SNAPPY_OK ? length : 0
        }
        guard status == SNAPPY_OK else { throw CodecError(.snappy, "compression failed (status \(status.rawValue))") }
        return out
    }

    /// Decodes raw snappy, or xerial-framed snappy when the input starts with its magic.
    static func decompress(_ input: UnsafeRawBufferPointer, limit: Int = .max) throws -> [UInt8] {
        if isXerial(input) { return try decompressXerial(input, limit: limit) }
        var out: [UInt8] = []
        try decompressRaw(input, appendingTo: &out, limit: limit)
        return out
    }

    static func isXerial(_ input: UnsafeRawBufferPointer) -> Bool {
        guard input.count >= xerialHeaderSize else { return false }
        for i in 0..<xerialMagic.count where input[i] != xerialMagic[i] { return false }
        return true
    }

    static func decompressXerial(_ input: UnsafeRawBufferPointer, limit: Int = .max) throws -> [UInt8] {
        var out: [UInt8] = []
        var pos = xerialHeaderSize
        while pos < input.count {
            guard input.count - pos >= 4 else {
                throw CodecError(.snappy, "xerial block length truncated at byte \(pos)")
            }
            let length = Int(input[pos]) << 24 | Int(input[pos + 1]) << 16 | Int(input[pos + 2]) << 8 | Int(input[pos + 3])
            pos += 4
            guard length <= input.count - pos else {
                throw CodecError(.snappy, "xerial block at byte \(pos - 4) declares \(length) bytes, \(input.count - pos) remain")
            }
            try decompressRaw(UnsafeRawBufferPointer(rebasing: input[pos..<pos + length]), appendingTo: &out, limit: limit)
            pos += length
        }
        return out
    }

    /// Appends the block's bytes to `out`, refusing to let `out` grow past `limit`.
    static func decompressRaw(_ input: UnsafeRawBufferPointer, appendingTo out: inout [UInt8], limit: Int = .max) throws {
        guard input.count > 0 else { throw CodecError(.snappy, "empty block") }
        let src = input.baseAddress!.assumingMemoryBound(to: CChar.self)
        var length = 0
        guard snappy_uncompressed_length(src, input.count, &length) == SNAPPY_OK else {
            throw CodecError(.snappy, "corrupt block header")
        }
        // The header is the sender's claim, and the output is allocated from
        // it: bound it by what the block can expand to (no element makes more
        // than 64 bytes from 3), so ten bytes cannot ask for 4 GiB.
        guard length <= input.count * maxExpansion else {
            throw CodecError(.snappy, "block of \(input.count) bytes declares \(length) uncompressed bytes, more than it can hold")
        }
        guard length <= limit - out.count else {
            throw CodecError(.snappy, "decompresses to more than \(limit) bytes (from \(input.count)); refused")
        }
        if length == 0 {
            guard snappy_validate_compressed_buffer(src, input.count) == SNAPPY_OK else {
                throw CodecError(.snappy, "corrupt data")
            }
            return
        }
        let start = out.count
        var status = SNAPPY_OK
        var produced = length
        // Decode into uninitialised storage (no zero-fill first).
        let tail = [UInt8](unsafeUninitializedCapacity: length) { buf, count in
            status = snappy_uncompress(src, input.count,
                                       UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self), &produced)
            count = status == SNAPPY_OK && produced == length ? length : 0
        }
        guard status == SNAPPY_OK, produced == length else {
            throw CodecError(.snappy, "corrupt data (status \(status.rawValue))")
        }
        if start == 0 { out = tail } else { out.append(contentsOf: tail) }
    }
}

/// snappy_compress wants a non-null source even for zero bytes.
private let emptySource: UnsafePointer<CChar> = {
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    p.initialize(to: 0)
    return UnsafePointer(p)
}()
