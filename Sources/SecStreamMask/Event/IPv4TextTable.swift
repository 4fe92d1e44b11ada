/// Crypto-PAn pseudonyms of IPv4 addresses by the address's text, for the
/// splice: an entry holds the text (up to 15 bytes, in two words) and the
/// pseudonym's text (the same), 32 bytes, two to a cache line, open
/// addressing. A hit needs no parse of the text (a dotted quad's one to
/// three digits an octet made the parse's branches unpredictable: profiled,
/// the most expensive part of planning a line) and no printing of the
/// pseudonym (its four octets looked up and stored one by one cost more
/// than the lookup: the text is printed once, when it is inserted).
/// Only canonical dotted quads (`IPv4Table.parse`) are ever inserted, so a hit
/// is one; a text not in the table is parsed, and one that is not an address
/// goes the general way.
struct IPv4TextTable {
    /// A text's two words and length, as `find` and `insert` take them.
    struct Key {
        var low: UInt64
        var high: UInt64
        var count: Int
        var hash: UInt64
    }

    /// A found entry: the pseudonym's text as two little-endian words (bytes
    /// past its length are not part of it) and its length, and whether it
    /// differs from the address.
    struct Masked {
        var low: UInt64
        var high: UInt64
        var count: Int
        var changed: Bool
    }

    /// Four words an entry: the key's two words (its length in the top byte
    /// of the second: a text of 15 bytes or fewer leaves it free, and a
    /// length of 7 or more makes an entry's second word non-zero, so 0 marks
    /// an empty one), then the pseudonym's (its length in bits 56-59 and
    /// whether it changed in bit 63).
    private let entries: UnsafeMutablePointer<UInt64>
    private let bits: Int
    /// `octetTexts`, read once here (a static is a lazy global: a `swift_once` check per read).
    private let octets: UnsafeMutablePointer<UInt64>
    private static let textBytes: UInt64 = 0x00FF_FFFF_FFFF_FFFF

    init(bits: Int) {
        self.bits = bits
        octets = Self.octetTexts
        entries = .allocate(capacity: 4 << bits)
        entries.initialize(repeating: 0, count: 4 << bits)
    }

    func deallocate() { entries.deallocate() }

    /// The key of a text that may be a dotted quad (7 to 15 bytes), read as
    /// two overlapping little-endian words, nothing outside the text; nil
    /// for any other length.
    @inline(__always)
    static func key(_ text: UnsafeRawBufferPointer) -> Key? {
        let n = text.count
        guard n >= 7 && n <= 15, let p = text.baseAddress else { return nil }
        var low: UInt64, high: UInt64 = 0
        if n >= 8 {
            low = p.loadUnaligned(as: UInt64.self)
            // Bytes 8..<n: the last word shifted down by the bytes it shares
            // with `low` (two shifts: a shift by 64, for n == 8, is not one).
            high = (p.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self) &>> 1) &>> UInt64(8 &* (16 &- n) &- 1)
        } else {
            // Seven bytes: two overlapping four-byte words.
            low = UInt64(p.loadUnaligned(as: UInt32.self)) | UInt64(p.loadUnaligned(fromByteOffset: 3, as: UInt32.self)) << 24
        }
        var h = (low ^ (high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(n)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return Key(low: low, high: high, count: n, hash: h)
    }

    @inline(__always)
    private func home(_ key: Key) -> Int { Int(truncatingIfNeeded: key.hash >> UInt64(64 - bits)) }

    /// Where `key`'s probe starts (for a prefetch).
    @inline(__always)
    func slotAddress(_ key: Key) -> UnsafeRawPointer { UnsafeRawPointer(entries + 4 &* home(key)) }

    /// The pseudonym's text of the address's text.
    @inline(__always)
    func find(_ key: Key) -> Masked? {
        let mask = (1 << bits) &- 1
        let second = key.high | UInt64(truncatingIfNeeded: key.count) << 56
        var i = home(key)
        for _ in 0..<4 {
            let e = entries + 4 &* i
            let stored = e[1]
            if stored == 0 { return nil }
            if stored == second && e[0] == key.low {
                let high = e[3]
                return Masked(low: e[2], high: high & Self.textBytes, count: Int(truncatingIfNeeded: (high >> 56) & 0xF),
                              changed: high >> 63 != 0)
            }
            i = (i &+ 1) & mask
        }
        return nil
    }

    /// Enters the address text's pseudonym `masked`; returns its entry as `find` would.
    @discardableResult
    func insert(_ key: Key, _ masked: UInt32, changed: Bool) -> Masked {
        let mask = (1 << bits) &- 1
        let first = home(key)
        var i = first
        for _ in 0..<4 {
            if entries[4 &* i &+ 1] == 0 { break }
            i = (i &+ 1) & mask
        }
        if entries[4 &* i &+ 1] != 0 { i = first }  // a full run: the home entry is replaced (a later miss recomputes)
        let text = dotted(masked)
        let e = entries + 4 &* i
        e[0] = key.low
        e[1] = key.high | UInt64(truncatingIfNeeded: key.count) << 56
        e[2] = text.low
        e[3] = text.high | UInt64(truncatingIfNeeded: text.count) << 56 | (changed ? 1 << 63 : 0)
        return Masked(low: text.low, high: text.high, count: text.count, changed: changed)
    }

    /// Appends `"` + the pseudonym + `"`.
    @inline(__always)
    static func appendQuoted<Output: MaskOutput>(_ m: Masked, to out: inout Output) {
        out.write(quoted: (m.low, m.high), count: m.count)
    }

    /// Appends the pseudonym without quotes (free text's addresses).
    @inline(__always)
    static func appendDotted<Output: MaskOutput>(_ m: Masked, to out: inout Output) {
        var text = (m.low, m.high)
        withUnsafeBytes(of: &text) { out.write(UnsafeRawBufferPointer(rebasing: $0[0..<m.count])) }
    }

    /// The dotted quad of `v` as two little-endian words and its length (7 to 15).
    private func dotted(_ v: UInt32) -> (low: UInt64, high: UInt64, count: Int) {
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for a 4-byte store at offset 15
        let octets = self.octets
        let count = withUnsafeMutableBytes(of: &text) { b -> Int in
            var n = 0
            for k in 0..<4 {
                // Up to three digits and a '.' stored at once; the length says how many count.
                let t = octets[Int(truncatingIfNeeded: (v >> UInt32(24 - 8 * k)) & 0xFF)]
                b.storeBytes(of: UInt32(truncatingIfNeeded: t), toByteOffset: n, as: UInt32.self)
                n &+= Int(truncatingIfNeeded: t >> 32)
                if k < 3 { b[n] = UInt8(ascii: "."); n &+= 1 }
            }
            return n
        }
        // Only the text's bytes: the last octet's store may have left digits' zeros past it.
        let high = count > 8 ? text.1 & ((1 << UInt64(8 &* (count &- 8))) &- 1) : 0
        return (text.0, high, count)
    }

    /// Each octet's decimal text (little-endian in the low 32 bits) and its length (high 32 bits).
    private static let octetTexts: UnsafeMutablePointer<UInt64> = {
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)
        for o in 0..<256 {
            let digits = Array(String(o).utf8)
            var packed: UInt64 = 0
            for (k, d) in digits.enumerated() { packed |= UInt64(d) << UInt64(8 * k) }
            table[o] = packed | UInt64(digits.count) << 32
        }
        return table
    }()
}
