import CJSONScan

/// The field scanner's view of where a line's strings end: the special-byte
/// flags (`"`, `\`, control, non-ASCII; see `StringSpecialIndex`) of the whole
/// line, classified 64 bytes at a time before the walk starts.
///
/// Why not lazily, block by block, like `StringSpecialIndex`: on an event
/// line of a few hundred bytes the lazy index's "is this the cached block?"
/// test and its "nothing left in this block" loop fail at every block a string
/// or key crosses, each a mispredicted branch on the scan's critical path.
/// Here a lookup reads the flags from `i` on with one unaligned load (no
/// branch) and finds the first; only a run of 57 or more plain bytes loops. A sentinel flag at the line's end stands for "none before
/// the end", so no lookup compares against the end either.
struct LineSpecialMasks {
    /// `blockCount(end)` words: one per 64-byte block, the partial last block
    /// with the sentinel, and a zero word the funnel shift may read.
    let masks: UnsafeMutablePointer<UInt64>

    /// Words of storage `init` needs for a line of `end` bytes.
    @inline(__always)
    static func blockCount(_ end: Int) -> Int { end >> 6 &+ 2 }

    /// Classifies the `end` bytes at `p` into `storage` (`blockCount(end)` words).
    @inline(__always)
    init(_ p: UnsafePointer<UInt8>, _ end: Int, storage: UnsafeMutablePointer<UInt64>) {
        masks = storage
        let full = end >> 6
        var b = 0
        while b < full {
            storage[b] = secstream_json_string_specials64(p + (b << 6))
            b &+= 1
        }
        let rest = end & 63
        var last: UInt64 = 0
        if rest > 0 {
            // The partial block as the lazy index classifies it (never a read past the line).
            var lazy = StringSpecialIndex(p, end)
            last = lazy.mask(full)
        }
        storage[full] = last | (1 &<< UInt64(rest))  // the sentinel at `end`
        storage[full &+ 1] = 0
    }

    /// Index of the first special byte at or after `i` (`i <= end`), or `end` if none.
    ///
    /// The flags from `i` on are one unaligned load at the byte holding flag
    /// `i` and a shift by `i & 7` (at least 57 valid flags), instead of a
    /// funnel shift of two words (callgrind: ~6 instructions fewer a lookup,
    /// ~20 lookups an event). Little-endian words: flag k is bit `k & 7` of
    /// byte `k >> 3`. The load stays in `storage`: `i <= end` puts its last
    /// byte at most at `end >> 3 + 7`, inside the `blockCount(end)` words.
    @inline(__always)
    func next(from i: Int) -> Int {
        var j = i
        while true {
            let m = UnsafeRawPointer(masks).loadUnaligned(fromByteOffset: j &>> 3, as: UInt64.self) &>> UInt64(j & 7)
            if m != 0 { return j &+ m.trailingZeroBitCount }
            j = (j & ~7) &+ 64  // flags j ..< that were all clear: the sentinel lies further on, so `j` stays <= end
        }
    }
}
