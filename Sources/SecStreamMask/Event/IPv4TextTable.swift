import CMaskSplice

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
    /// A text's two words, length and hash (`secstream_ipv4_key`).
    typealias Key = secstream_ipv4_key_t

    /// A found entry: the pseudonym's text as two little-endian words (bytes
    /// past its length are not part of it) and its length, and whether it
    /// differs from the address.
    struct Masked {
        var low: UInt64
        var high: UInt64
        var count: Int
        var changed: Bool
    }

    /// Four words an entry (the layout is `mask_splice.h`'s, which the splice reads).
    let entries: UnsafeMutablePointer<UInt64>
    let bits: Int
    /// `octetTexts`, read once here (a static is a lazy global: a `swift_once` check per read).
    private let octets: UnsafeMutablePointer<UInt64>

    init(bits: Int) {
        self.bits = bits
        octets = Self.octetTexts
        guard let table = secstream_table_alloc(MemoryLayout<UInt64>.stride * (4 << bits)) else {
            fatalError("out of memory for the IPv4 pseudonym table")
        }
        entries = table.bindMemory(to: UInt64.self, capacity: 4 << bits)
    }

    func deallocate() { secstream_table_free(entries) }

    /// The key of a text that may be a dotted quad (7 to 15 bytes); nil for any other length.
    @inline(__always)
    static func key(_ text: UnsafeRawBufferPointer) -> Key? {
        guard let p = text.baseAddress else { return nil }
        var key = Key()
        return secstream_ipv4_key(p.assumingMemoryBound(to: UInt8.self), text.count, &key) != 0 ? key : nil
    }

    /// The pseudonym's text of the address's text.
    @inline(__always)
    func find(_ key: Key) -> Masked? {
        var key = key
        guard let e = secstream_ipv4_find(entries, Int32(bits), &key) else { return nil }
        return Self.masked(e)
    }

    /// An entry's pseudonym.
    @inline(__always)
    static func masked(_ e: UnsafePointer<UInt64>) -> Masked {
        let high = e[3]
        return Masked(low: e[2], high: high & SECSTREAM_IPV4_TEXT_BYTES, count: Int(truncatingIfNeeded: (high >> 56) & 0xF),
                      changed: high >> 63 != 0)
    }

    /// Enters the address text's pseudonym `masked`; returns its entry as `find` would.
    @discardableResult
    func insert(_ key: Key, _ masked: UInt32, changed: Bool) -> Masked {
        var key = key
        let text = dotted(masked)
        secstream_ipv4_insert(entries, Int32(bits), &key, text.low, text.high, Int32(text.count), changed ? 1 : 0)
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
