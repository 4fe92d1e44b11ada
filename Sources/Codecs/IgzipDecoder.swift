import CIsal

/// The streaming gzip decoder of `.gz` inputs and stdin: ISA-L's igzip
/// inflate (Debian `libisal-dev`), which decodes the bench's gzip input at
/// 1.31 GB/s against zlib's 0.60 GB/s on this machine (the same 326 MB, CRC
/// equal). Several members in a row are one stream, as `gzip -d` reads them;
/// each member's header is read by `GzipHeaderReader` (ISA-L's own fails on
/// a header split across calls), and its CRC-32 and length are checked by
/// ISA-L before its end counts.
///
/// zlib's `GzipDecoder` stays: it names what is wrong with an input the
/// whole-buffer path (libdeflate) refuses, and the tests compare the two.
public final class IgzipDecoder: GzipMemberLoop {
    // ISA-L's state (its Huffman tables and a 64 KiB output window, ~100 KiB)
    // lives at a stable heap address, one per decoder.
    private let state: UnsafeMutablePointer<inflate_state>
    public internal(set) var isAtFrameEnd = true
    /// The current member's header, read here (see `GzipHeaderReader`);
    /// ISA-L gets the deflate data and checks the trailer (`ISAL_GZIP_NO_HDR_VER`),
    /// reading no byte past it (a trailer cut across calls is gathered in its
    /// own buffer), so the next member starts where ISA-L stopped.
    private var header = GzipHeaderReader()
    /// Where `next_in` points when there is no input left (never null: ISA-L
    /// moves the pointer by what it read, zero then).
    private let empty = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

    public init() {
        state = .allocate(capacity: 1)
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP_NO_HDR_VER)
    }

    deinit {
        state.deallocate()
        empty.deallocate()
    }

    public func decode(_ input: UnsafeRawBufferPointer,
                       into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int) {
        try decodeMembers(input, into: output)
    }

    /// `input` into the current member: its header's bytes, then its deflate
    /// data and trailer through ISA-L.
    func inflateStep(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws
        -> (usedIn: Int, usedOut: Int, memberEnded: Bool) {
        var used = 0
        if !header.isComplete {
            used = try header.read(input)
            if !header.isComplete { return (used, 0, false) }
        }
        let rest = UnsafeRawBufferPointer(rebasing: input[used...])
        state.pointee.next_in = rest.count > 0 ? UnsafeMutablePointer(mutating: rest.baseAddress!.assumingMemoryBound(to: UInt8.self)) : empty
        state.pointee.avail_in = UInt32(rest.count)
        state.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        state.pointee.avail_out = UInt32(output.count)
        let rc = isal_inflate(state)
        if rc < 0 || rc == ISAL_NEED_DICT { throw CodecError(.gzip, Self.message(rc)) }
        used += rest.count - Int(state.pointee.avail_in)
        let produced = output.count - Int(state.pointee.avail_out)
        guard state.pointee.block_state == ISAL_BLOCK_FINISH else { return (used, produced, false) }
        // End of one member (trailer checked, output flushed); another may follow.
        isal_inflate_reset(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP_NO_HDR_VER)
        header.reset()
        return (used, produced, true)
    }

    /// zlib's words for the same faults, where it has them (the header's are `GzipHeaderReader`'s).
    static func message(_ rc: Int32) -> String {
        switch rc {
        case ISAL_INVALID_BLOCK: return "corrupt data (invalid deflate block)"
        case ISAL_INVALID_SYMBOL: return "corrupt data (invalid code in a deflate block)"
        case ISAL_INVALID_LOOKBACK: return "corrupt data (invalid distance too far back)"
        case ISAL_INCORRECT_CHECKSUM: return "corrupt data (incorrect data check)"
        case ISAL_NEED_DICT: return "stream needs a preset dictionary"
        default: return "corrupt data (igzip code \(rc))"
        }
    }
}
