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
/// one multiply whose top bits index the table (Fibonacci hashing), with a
/// multiplier searched for at init that puts every key in its own slot, so a
/// miss (a third of the lookups) stops at the first compare. A lookup went
/// from ~60 instructions to ~30.
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
    private let multiplier: UInt64
    /// Every key in its own slot (`slot` of its words): a miss is a mismatch there.
    let perfect: Bool
    /// For each length 0...16, the masks that keep a key's bytes in its two words.
    private let lengthMasks: UnsafeMutablePointer<UInt64>

    /// `spellings`: (start node, key bytes, field, child node) for every key
    /// of at most `maxKeyLength` bytes.
    init(spellings: [(Int32, [UInt8], Int32, Int32)]) {
        var keys: [(w0: UInt64, w1: UInt64, meta: UInt64, field: Int32, child: Int32)] = []
        var seen = Set<[UInt64]>()
        for (node, key, field, child) in spellings {
            var w0: UInt64 = 0, w1: UInt64 = 0
            for (k, b) in key.enumerated() {
                if k < 8 { w0 |= UInt64(b) << UInt64(k * 8) } else { w1 |= UInt64(b) << UInt64((k - 8) * 8) }
            }
            let meta = Self.meta(node, key.count)
            if seen.insert([w0, w1, meta]).inserted { keys.append((w0, w1, meta, field, child)) }
        }
        // A multiplier that gives every key its own slot, in the smallest
        // power-of-two table of at least 4 slots a key or in one 2 or 4 times
        // that size; then a miss is one compare. Failing that (schemas of
        // hundreds of keys), linear probing in the smallest table.
        var capacity = 16
        var bits: UInt64 = 4
        while capacity < keys.count * 4 {
            capacity <<= 1
            bits += 1
        }
        var found: UInt64? = nil
        search: for _ in 0..<3 {
            for attempt in 0..<UInt64(256) {
                let multiplier = (Self.defaultMultiplier &+ attempt &* 0x632B_E59B_D9B4_E019) | 1
                var used = Set<Int>()
                if keys.allSatisfy({ used.insert(Self.slot($0.w0, $0.w1, $0.meta, multiplier, 64 - bits)).inserted }) {
                    found = multiplier
                    break search
                }
            }
            capacity <<= 1
            bits += 1
        }
        if found == nil {
            capacity >>= 3
            bits -= 3
        }
        perfect = found != nil
        multiplier = found ?? Self.defaultMultiplier
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
        for key in keys {
            var slot = Self.slot(key.w0, key.w1, key.meta, multiplier, shift)
            while entries[slot].meta != Self.emptyMeta { slot = (slot + 1) & mask }
            entries[slot] = Entry(word0: key.w0, word1: key.w1, meta: key.meta, field: key.field, childNode: key.child)
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

    static let defaultMultiplier: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inline(__always)
    static func slot(_ w0: UInt64, _ w1: UInt64, _ meta: UInt64, _ multiplier: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: ((w0 &+ (w1 ^ meta)) &* multiplier) &>> shift)
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
        var slot = Self.slot(w0, w1, meta, multiplier, shift)
        while true {
            let e = entries + slot
            if (e.pointee.word0 ^ w0) | (e.pointee.word1 ^ w1) | (e.pointee.meta ^ meta) == 0 {
                return (e.pointee.field, e.pointee.childNode)
            }
            if perfect || e.pointee.meta == Self.emptyMeta { return nil }
            slot = (slot &+ 1) & mask
        }
    }
}
