import CZlib

/// An RFC 1952 member header read in pieces of any size: ten fixed bytes,
/// then the optional extra field, file name, comment and header CRC that the
/// flags announce. Checked as zlib checks them, each byte as it arrives (so a
/// short non-gzip input or trailing garbage is an error at once, not a member
/// cut short), with zlib's words for each fault.
///
/// `IgzipDecoder` reads headers here and gives ISA-L only the deflate data
/// and trailer: ISA-L 2.30's own header reader fails on a header split
/// across calls (a file name cut after a few bytes reads as a bad checksum),
/// as a pipe's or a read boundary's split does.
struct GzipHeaderReader {
    private enum Stage {
        case fixed, extraLength, extra, name, comment, headerCRC, done
    }

    private var stage = Stage.fixed
    /// Bytes read of the current stage (fixed: of 10; lengths and CRC: of 2).
    private var count = 0
    private var flags: UInt8 = 0
    /// The extra field's length, then what is left of it.
    private var remaining = 0
    /// The two bytes of a length or of the header CRC, little-endian.
    private var word = 0
    /// CRC-32 of the header bytes before the header CRC (FHCRC).
    private var crc = crc32(0, nil, 0)

    var isComplete: Bool { stage == .done }

    mutating func reset() { self = GzipHeaderReader() }

    /// Reads header bytes from the start of `bytes`; returns how many it took
    /// (all of them while the header goes on).
    mutating func read(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        var k = 0
        while stage != .done && k < bytes.count {
            let b = bytes[k]
            if stage != .headerCRC && flags & 0x02 != 0 { crc = crc32(crc, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + k, 1) }
            k += 1
            switch stage {
            case .fixed:
                switch count {
                case 0, 1:
                    if b != (count == 0 ? 0x1f : 0x8b) { throw CodecError(.gzip, "corrupt data (incorrect header check)") }
                case 2:
                    if b != 8 { throw CodecError(.gzip, "corrupt data (unknown compression method)") }
                case 3:
                    if b & 0xe0 != 0 { throw CodecError(.gzip, "corrupt data (unknown header flags set)") }
                    flags = b
                    // The bytes so far, now that it is known whether they count.
                    if flags & 0x02 != 0 { crc = crc32(0, [0x1f, 0x8b, 8, b], 4) }
                default:
                    break
                }
                count += 1
                if count == 10 { next(after: .fixed) }
            case .extraLength, .headerCRC:
                word |= Int(b) << (8 * count)
                count += 1
                guard count == 2 else { continue }
                if stage == .headerCRC {
                    if word != Int(crc & 0xffff) { throw CodecError(.gzip, "corrupt data (header crc mismatch)") }
                    stage = .done
                } else {
                    remaining = word
                    stage = .extra
                    if remaining == 0 { next(after: .extra) }
                }
            case .extra:
                remaining -= 1
                if remaining == 0 { next(after: .extra) }
            case .name, .comment:
                if b == 0 { next(after: stage) }
            case .done:
                break
            }
        }
        return k
    }

    /// The optional fields in their order, each with the flag announcing it.
    private static let optional: [(stage: Stage, flag: UInt8)] = [(.extraLength, 0x04), (.name, 0x08), (.comment, 0x10), (.headerCRC, 0x02)]

    /// The stage after `stage`: the next field the flags announce.
    private mutating func next(after stage: Stage) {
        count = 0
        word = 0
        let passed = Self.optional.firstIndex { $0.stage == (stage == .extra ? .extraLength : stage) }.map { $0 + 1 } ?? 0
        self.stage = Self.optional[passed...].first { flags & $0.flag != 0 }?.stage ?? .done
    }
}
