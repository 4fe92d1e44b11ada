/// Key lookup for the field scanner without walking the trie byte by byte:
/// every key spelling that can occur at a segment start of a wanted path
/// (`source`, `source.ip`, `ip`, `geo.city`, ...) is stored with the trie
/// node it starts from, the field it completes and the node to descend into.
/// A key of up to 16 bytes is looked up by its two (masked) 8-byte words: a
/// hash, a probe and one compare, whatever its length. Longer keys and keys
/// near the end of a line use the trie walk.
///
/// Why this shape (callgrind, bench lines, ~10 lookups an event): the key's
/// words are masked to its length by a 17-entry mask table instead of
/// length-dependent branches, the start node and length travel as one word
/// (`meta`) compared with the two key words in a single test, and the hash is
/// one multiply whose top bits index the table (Fibonacci hashing). A lookup
/// went from ~60 instructions to ~30.
struct FieldKeyTable {
    struct Entry {
        var word0: UInt64 = 0
        var word1: UInt64 = 0
        var meta: UInt64 = FieldKeyTable.emptyMeta   // start node << 32 | length
        var field: Int32 = -1
        var childNode: Int32 = -1
    }

    static let maxKeyLength = 16
    /// The `meta` of an empty entry: no key's (its length is at most 16).
    static let emptyMeta = UInt64.max

    private let entries: UnsafeMutablePointer<Entry>
    private let mask: Int
    private let shift: UInt64
    /// For each length 0...16, the masks that keep a key's bytes in its two words.
    private let lengthMasks: UnsafeMutablePointer<UInt64>

    /// `spellings`: (start node, key bytes, field, child node) for every key
    /// of at most `maxKeyLength` bytes.
    init(spellings: [(Int32, [UInt8], Int32, Int32)]) {
        var capacity = 16
        var bits: UInt64 = 4
        while capacity < spellings.count * 4 {
            capacity <<= 1
            bits += 1
        }
        mask = capacity - 1
        shift = 64 - bits
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry(), count: capacity)
        lengthMasks = .allocate(capacity: 2 * (Self.maxKeyLength + 1))
        for length in 0...Self.maxKeyLength {
            let low = min(length, 8), high = max(length - 8, 0)
            lengthMasks[2 * length] = low == 8 ? .max : (1 << UInt64(low * 8)) - 1
            lengthMasks[2 * length + 1] = high == 8 ? .max : (1 << UInt64(high * 8)) - 1
        }
        for (node, key, field, child) in spellings {
            var w0: UInt64 = 0, w1: UInt64 = 0
            for (k, b) in key.enumerated() {
                if k < 8 { w0 |= UInt64(b) << UInt64(k * 8) } else { w1 |= UInt64(b) << UInt64((k - 8) * 8) }
            }
            let meta = Self.meta(node, key.count)
            var slot = slotOf(w0, w1, meta)
            while entries[slot].meta != Self.emptyMeta {
                let e = entries[slot]
                if e.meta == meta && e.word0 == w0 && e.word1 == w1 { break }
                slot = (slot + 1) & mask
            }
            entries[slot] = Entry(word0: w0, word1: w1, meta: meta, field: field, childNode: child)
        }
    }

    func deallocate() {
        entries.deallocate()
        lengthMasks.deallocate()
    }

    @inline(__always)
    static func meta(_ node: Int32, _ length: Int) -> UInt64 {
        UInt64(UInt32(bitPattern: node)) &<< 32 | UInt64(truncatingIfNeeded: length)
    }

    @inline(__always)
    private func slotOf(_ w0: UInt64, _ w1: UInt64, _ meta: UInt64) -> Int {
        Int(truncatingIfNeeded: ((w0 &+ (w1 ^ meta)) &* 0x9E37_79B9_7F4A_7C15) &>> shift)
    }

    /// Looks up the key at `p` (`length` <= 16, 16 bytes readable from `p`)
    /// starting at `node`: the entry, or nil when no wanted path continues.
    @inline(__always)
    func lookup(_ node: Int32, _ p: UnsafePointer<UInt8>, _ length: Int) -> (field: Int32, child: Int32)? {
        let raw = UnsafeRawPointer(p)
        let m = lengthMasks + (length &* 2)
        let w0 = raw.loadUnaligned(as: UInt64.self) & m[0]
        let w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & m[1]
        let meta = Self.meta(node, length)
        var slot = slotOf(w0, w1, meta)
        while true {
            let e = entries + slot
            if (e.pointee.word0 ^ w0) | (e.pointee.word1 ^ w1) | (e.pointee.meta ^ meta) == 0 {
                return (e.pointee.field, e.pointee.childNode)
            }
            if e.pointee.meta == Self.emptyMeta { return nil }
            slot = (slot &+ 1) & mask
        }
    }
}
