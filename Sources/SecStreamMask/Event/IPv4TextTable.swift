/// Crypto-PAn pseudonyms of IPv4 addresses by the address's text, for the
/// splice: an entry holds the text (up to 15 bytes, in two words) and the
/// pseudonym, 24 bytes, open addressing. A hit needs no parse of the text:
/// a dotted quad's one to three digits an octet made the parse's branches
/// unpredictable (profiled: the most expensive part of planning a line).
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

    private let entries: UnsafeMutablePointer<UInt64>  // three words an entry: low, high, count | changed << 8 | pseudonym << 32
    private let bits: Int
    /// `octetTexts`, read once here (a static is a lazy global: a `swift_once` check per read).
    private let octets: UnsafeMutablePointer<UInt64>

    init(bits: Int) {
        self.bits = bits
        octets = Self.octetTexts
        entries = .allocate(capacity: 3 << bits)
        entries.initialize(repeating: 0, count: 3 << bits)  // count 0: empty
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
    func slotAddress(_ key: Key) -> UnsafeRawPointer { UnsafeRawPointer(entries + 3 &* home(key)) }

    /// The pseudonym of the text, and whether it differs from the address.
    @inline(__always)
    func find(_ key: Key) -> (UInt32, Bool)? {
        let mask = (1 << bits) &- 1
        var i = home(key)
        for _ in 0..<4 {
            let e = entries + 3 &* i
            let meta = e[2]
            if meta == 0 { return nil }
            if e[0] == key.low && e[1] == key.high && Int(truncatingIfNeeded: meta & 0xFF) == key.count {
                return (UInt32(truncatingIfNeeded: meta >> 32), meta & 0x100 != 0)
            }
            i = (i &+ 1) & mask
        }
        return nil
    }

    func insert(_ key: Key, _ masked: UInt32, changed: Bool) {
        let mask = (1 << bits) &- 1
        let first = home(key)
        var i = first
        for _ in 0..<4 {
            if entries[3 &* i &+ 2] == 0 { break }
            i = (i &+ 1) & mask
        }
        if entries[3 &* i &+ 2] != 0 { i = first }  // a full run: the home entry is replaced (a later miss recomputes)
        let e = entries + 3 &* i
        e[0] = key.low
        e[1] = key.high
        e[2] = UInt64(key.count) | (changed ? 0x100 : 0) | UInt64(masked) << 32
    }

    /// Appends `"` + the dotted quad + `"`, built on the stack and appended
    /// at once (an append per byte costs a uniqueness and a capacity check each).
    @inline(__always)
    func appendQuoted<Output: MaskOutput>(_ v: UInt32, to out: inout Output) {
        var (text, count) = quoted(v)
        withUnsafeBytes(of: &text) { out.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// Appends the dotted quad without quotes (free text's addresses).
    @inline(__always)
    func appendDotted<Output: MaskOutput>(_ v: UInt32, to out: inout Output) {
        var (text, count) = quoted(v)
        withUnsafeBytes(of: &text) { out.write(UnsafeRawBufferPointer(rebasing: $0[1..<(count &- 1)])) }
    }

    /// `"` + the dotted quad + `"` on the stack, and its length.
    @inline(__always)
    private func quoted(_ v: UInt32) -> ((UInt64, UInt64, UInt64), Int) {
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 17 bytes at most: two quotes and 15
        let octets = self.octets
        let count = withUnsafeMutableBytes(of: &text) { b -> Int in
            b[0] = UInt8(ascii: "\"")
            var n = 1
            for k in 0..<4 {
                // Up to three digits and a '.' stored at once; the length says how many count.
                let t = octets[Int(truncatingIfNeeded: (v >> UInt32(24 - 8 * k)) & 0xFF)]
                b.storeBytes(of: UInt32(truncatingIfNeeded: t), toByteOffset: n, as: UInt32.self)
                n &+= Int(truncatingIfNeeded: t >> 32)
                if k < 3 { b[n] = UInt8(ascii: "."); n &+= 1 }
            }
            b[n] = UInt8(ascii: "\"")
            return n &+ 1
        }
        return (text, count)
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
