/// Key lookup for the field scanner without walking the trie byte by byte:
/// every key spelling that can occur at a segment start of a wanted path
/// (`source`, `source.ip`, `ip`, `geo.city`, ...) is stored with the trie
/// node it starts from, the field it completes and the node to descend into.
/// A key of up to 16 bytes is looked up by its two (masked) 8-byte words: a
/// hash, a probe and two compares, whatever its length. Longer keys and keys
/// near the end of a line use the trie walk.
struct FieldKeyTable {
    struct Entry {
        var word0: UInt64
        var word1: UInt64
        var startNode: Int32 = -1   // -1: empty
        var length: Int32 = 0
        var field: Int32 = -1
        var childNode: Int32 = -1
    }

    static let maxKeyLength = 16

    private let entries: UnsafeMutablePointer<Entry>
    private let mask: Int

    /// `spellings`: (start node, key bytes, field, child node) for every key
    /// of at most `maxKeyLength` bytes.
    init(spellings: [(Int32, [UInt8], Int32, Int32)]) {
        var capacity = 16
        while capacity < spellings.count * 4 { capacity <<= 1 }
        mask = capacity - 1
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry(word0: 0, word1: 0), count: capacity)
        for (node, key, field, child) in spellings {
            let (w0, w1) = key.withUnsafeBufferPointer { Self.words($0.baseAddress!, key.count, paddedTo: 0) }
            var slot = Self.hash(node, key.count, w0, w1) & mask
            while entries[slot].startNode >= 0 {
                let e = entries[slot]
                if e.startNode == node && e.length == Int32(key.count) && e.word0 == w0 && e.word1 == w1 { break }
                slot = (slot + 1) & mask
            }
            entries[slot] = Entry(word0: w0, word1: w1, startNode: node, length: Int32(key.count),
                                  field: field, childNode: child)
        }
    }

    func deallocate() { entries.deallocate() }

    /// The two little-endian words of a key of `length` (<= 16) bytes, zero past its end.
    /// With `paddedTo` > 0 the caller guarantees 16 readable bytes and whole words are loaded.
    @inline(__always)
    static func words(_ p: UnsafePointer<UInt8>, _ length: Int, paddedTo readable: Int) -> (UInt64, UInt64) {
        if readable >= 16 {
            let raw = UnsafeRawPointer(p)
            var w0 = raw.loadUnaligned(as: UInt64.self)
            var w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            if length < 8 {
                w0 &= (1 &<< UInt64(length &* 8)) &- 1
                w1 = 0
            } else if length < 16 {
                w1 &= (1 &<< UInt64((length &- 8) &* 8)) &- 1
            }
            return (w0, w1)
        }
        var w0: UInt64 = 0, w1: UInt64 = 0
        for k in 0..<min(length, 8) { w0 |= UInt64(p[k]) &<< UInt64(k &* 8) }
        if length > 8 { for k in 8..<length { w1 |= UInt64(p[k]) &<< UInt64((k &- 8) &* 8) } }
        return (w0, w1)
    }

    @inline(__always)
    static func hash(_ node: Int32, _ length: Int, _ w0: UInt64, _ w1: UInt64) -> Int {
        var h = w0 &* 0x9E37_79B9_7F4A_7C15
        h ^= (w1 &+ UInt64(UInt32(bitPattern: node)) &<< 8 &+ UInt64(length)) &* 0xC2B2_AE3D_27D4_EB4F
        return Int(truncatingIfNeeded: h ^ (h &>> 29))
    }

    /// Looks up the key at `p` (`length` <= 16, 16 bytes readable from `p`)
    /// starting at `node`: the entry, or nil when no wanted path continues.
    @inline(__always)
    func lookup(_ node: Int32, _ p: UnsafePointer<UInt8>, _ length: Int) -> (field: Int32, child: Int32)? {
        let (w0, w1) = Self.words(p, length, paddedTo: 16)
        var slot = Self.hash(node, length, w0, w1) & mask
        while true {
            let e = entries[slot]
            if e.startNode < 0 { return nil }
            if e.word0 == w0 && e.word1 == w1 && e.startNode == node && e.length == Int32(length) {
                return (e.field, e.childNode)
            }
            slot = (slot &+ 1) & mask
        }
    }
}
