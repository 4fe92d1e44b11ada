import CJSONScan

/// Finds, for the field scanner, the next byte of a line that ends or
/// complicates a string: `"`, `\`, a control character or a non-ASCII byte.
///
/// It works a 64-byte block at a time: the block's bytes are classified
/// without branches (SSE2, `CJSONScan`) into one 64-bit mask, so
/// finding a string's end is a `trailingZeroBitCount`, not a loop whose exit
/// depends on the string's length (a branch the CPU mispredicts for every
/// string). Blocks are classified lazily and the last one is kept.
/// Inlinable: the masker's splicing walk (`SecStreamMask`) steps over strings with it too.
package struct StringSpecialIndex {
    @usableFromInline let p: UnsafePointer<UInt8>
    @usableFromInline let end: Int
    @usableFromInline var cachedBlock = -1
    @usableFromInline var cachedMask: UInt64 = 0

    @inlinable
    package init(_ p: UnsafePointer<UInt8>, _ end: Int) {
        self.p = p
        self.end = end
    }

    /// Index of the first special byte at or after `i`, or `end` if none.
    @inlinable @inline(__always)
    package mutating func next(from i: Int) -> Int {
        var block = i >> 6
        var m = mask(block) & (UInt64.max &<< UInt64(i & 63))
        while m == 0 {
            block &+= 1
            if block << 6 >= end { return end }
            m = mask(block)
        }
        return min(block << 6 | m.trailingZeroBitCount, end)
    }

    @inlinable @inline(__always)
    mutating func mask(_ block: Int) -> UInt64 {
        if block == cachedBlock { return cachedMask }
        let start = block << 6
        var bits: UInt64 = 0
        if start &+ 64 <= end {
            bits = blockMask(start)
        } else if start >= end {
            bits = 0  // asked from the very end of the line: nothing is left
        } else if end >= 64 {
            // The line's last, partial block: classify the 64 bytes that end the
            // line (never a read past it) and shift out those before the block.
            bits = blockMask(end &- 64) &>> UInt64(64 &- (end &- start))
        } else {
            bits = partialBlockMask(start)
        }
        cachedBlock = block
        cachedMask = bits
        return bits
    }

    /// The flags of the 64 bytes from `start` (SSE2 compares where there are
    /// any: a quarter of the instructions of the word-at-a-time flags below).
    @inlinable @inline(__always)
    func blockMask(_ start: Int) -> UInt64 {
        secstream_json_string_specials64(p + start)
    }

    /// The mask of the partial block of a line shorter than 64 bytes (kept out
    /// of line so the common paths inline small).
    @usableFromInline @inline(never)
    func partialBlockMask(_ start: Int) -> UInt64 {
        var bits: UInt64 = 0
        // The line's last, partial block: whole words, then the last few
        // bytes as the top of the word that ends the line (never a read
        // past the line), shifted down; the emptied lanes are masked off.
        let count = end &- start
        let words = count >> 3
        for k in 0..<words {
            let w = UnsafeRawPointer(p + (start &+ k &* 8)).loadUnaligned(as: UInt64.self)
            bits |= Self.gather(JSONLexing.stringSpecialMask(w)) &<< UInt64(k &* 8)
        }
        let rest = count & 7
        if rest > 0 {
            if end >= 8 {
                let w = UnsafeRawPointer(p + (end &- 8)).loadUnaligned(as: UInt64.self) &>> UInt64((8 &- rest) &* 8)
                let lanes = Self.gather(JSONLexing.stringSpecialMask(w)) & ((1 &<< UInt64(rest)) &- 1)
                bits |= lanes &<< UInt64(words &* 8)
            } else {
                for k in (words &* 8)..<count {
                    let c = p[start &+ k]
                    if c == JSONLexing.quote || c == JSONLexing.backslash || c < 0x20 || c >= 0x80 {
                        bits |= 1 &<< UInt64(k)
                    }
                }
            }
        }
        return bits
    }

    /// Packs the high bit of each byte lane into 8 bits (lane j -> bit j):
    /// the multiply moves lane j's bit to bit 56 + j without collisions.
    @inline(__always)
    static func gather(_ laneHighBits: UInt64) -> UInt64 {
        ((laneHighBits &>> 7) &* 0x0102_0408_1020_4080) &>> 56
    }
}
