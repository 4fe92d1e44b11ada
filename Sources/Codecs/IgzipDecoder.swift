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
    /// Every member begun has ended (bytes given back and not fed again begin one more).
    public internal(set) var isAtFrameEnd: Bool {
        get { membersEnded && carryCount == 0 }
        set { membersEnded = newValue }
    }
    private var membersEnded = true
    /// The current member's header, read here (see `GzipHeaderReader`);
    /// ISA-L gets the deflate data and checks the trailer (`ISAL_GZIP_NO_HDR_VER`).
    private var header = GzipHeaderReader()
    /// At a member's end ISA-L gives back the bytes it read ahead (up to 8,
    /// the next member's first) by moving `next_in` back, and they may have
    /// come in an earlier call, whose bytes the caller has moved past (a
    /// reader's buffer refilled): so the last 8 bytes fed are kept here
    /// (`recent`, oldest first), and bytes given back from before this call's
    /// input are fed again from here (`carry`) ahead of the caller's.
    private let recent = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
    private var recentCount = 0
    private let carry = UnsafeMutablePointer<UInt8>.allocate(capacity: 8)
    private var carryCount = 0
    /// Where `next_in` points when there is no input left: never null (see above).
    private let empty = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

    public init() {
        state = .allocate(capacity: 1)
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP_NO_HDR_VER)
    }

    deinit {
        state.deallocate()
        recent.deallocate()
        carry.deallocate()
        empty.deallocate()
    }

    public func decode(_ input: UnsafeRawBufferPointer,
                       into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int) {
        try decodeMembers(input, into: output)
    }

    func inflateStep(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws
        -> (usedIn: Int, usedOut: Int, memberEnded: Bool) {
        var out = output
        if carryCount > 0 {
            // A member's first bytes given back at the previous member's end: they go first.
            let carried = UnsafeRawBufferPointer(start: carry, count: carryCount)
            let step = try feed(carried, into: out)
            // (At most 8 bytes, of a header or a deflate stream's start: no member ends in them.)
            remember(UnsafeRawBufferPointer(rebasing: carried[..<step.used]))
            if step.used > 0 { membersEnded = false }
            carry.update(from: carry + step.used, count: carryCount - step.used)
            carryCount -= step.used
            out = UnsafeMutableRawBufferPointer(rebasing: out[step.produced...])
            if carryCount > 0 || out.isEmpty { return (0, output.count - out.count, false) }
        }
        let step = try feed(input, into: out)
        let usedOut = output.count - out.count + step.produced
        if step.used < 0 {
            // Given back from before this input (at a member's end): the last bytes fed, to be fed again.
            let back = -step.used
            precondition(step.memberEnded && back <= recentCount, "igzip gave back \(back) bytes it was not fed")
            carry.update(from: recent + (recentCount - back), count: back)
            carryCount = back
            recentCount -= back
            return (0, usedOut, true)
        }
        remember(UnsafeRawBufferPointer(rebasing: input[..<step.used]))
        return (step.used, usedOut, step.memberEnded)
    }

    /// `bytes` into the current member: its header's bytes, then its deflate
    /// data through ISA-L. `used` is negative when, at the member's end, ISA-L
    /// gave back bytes from before `bytes`.
    private func feed(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws
        -> (used: Int, produced: Int, memberEnded: Bool) {
        var used = 0
        if !header.isComplete {
            used = try header.read(bytes)
            if !header.isComplete { return (used, 0, false) }
        }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[used...])
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

    /// Keeps the last 8 bytes fed, `bytes` being the latest.
    private func remember(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        if bytes.count >= 8 {
            UnsafeMutableRawPointer(recent).copyMemory(from: bytes.baseAddress! + (bytes.count - 8), byteCount: 8)
            recentCount = 8
            return
        }
        let keep = min(recentCount, 8 - bytes.count)
        recent.update(from: recent + (recentCount - keep), count: keep)
        UnsafeMutableRawPointer(recent + keep).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        recentCount = keep + bytes.count
    }

    /// zlib's words for the same faults, where it has them.
    static func message(_ rc: Int32) -> String {
        switch rc {
        case ISAL_INVALID_BLOCK: return "corrupt data (invalid deflate block)"
        case ISAL_INVALID_SYMBOL: return "corrupt data (invalid code in a deflate block)"
        case ISAL_INVALID_LOOKBACK: return "corrupt data (invalid distance too far back)"
        case ISAL_INVALID_WRAPPER: return "corrupt data (incorrect header check)"
        case ISAL_UNSUPPORTED_METHOD: return "corrupt data (unknown compression method)"
        case ISAL_INCORRECT_CHECKSUM: return "corrupt data (incorrect data check)"
        case ISAL_NEED_DICT: return "stream needs a preset dictionary"
        default: return "corrupt data (igzip code \(rc))"
        }
    }
}
