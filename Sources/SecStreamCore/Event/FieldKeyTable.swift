#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Key lookup for the field scanner without walking the trie byte by byte:
/// every key spelling that can occur at a segment start of a wanted path
/// (`source`, `source.ip`, `ip`, `geo.city`, ...) is stored with the trie
/// node it starts from, the field it completes and the node to descend into.
/// A key of up to 16 bytes is looked up by its two (masked) 8-byte words: a
/// hash, a probe and two compares, whatever its length. A longer one (up to
/// `maxKeyLength`: Windows' `ParentCommandLine`, `TerminalSessionId`,
/// `SubjectDomainName`) also hashes the words past its first 16 bytes and
/// compares them with the entry's stored tail on a hit: the byte-by-byte trie
/// walk such keys took was a chain of dependent loads per byte, a fifth of
/// the scanner's time on Sysmon events. Keys near the start of a line
/// shorter than 16 bytes use the trie walk.
struct FieldKeyTable {
    struct Entry {
        var word0: UInt64
        var word1: UInt64
        var startNode: Int32 = -1   // -1: empty
        var length: Int32 = 0
        var field: Int32 = -1
        var childNode: Int32 = -1
    }

    static let maxKeyLength = 64
    /// Keys of up to this many bytes are held in the entry's two words alone.
    static let wordBytes = 16

    private let entries: UnsafeMutablePointer<Entry>
    private let mask: Int
    /// Per slot, for keys longer than `wordBytes`: where the bytes past the
    /// first 16 start in `tailBytes` (read only when the words already match).
    private let tailOffsets: UnsafeMutablePointer<Int32>
    private let tailBytes: UnsafeMutablePointer<UInt8>

    /// `spellings`: (start node, key bytes, field, child node) for every key
    /// of at most `maxKeyLength` bytes.
    init(spellings: [(Int32, [UInt8], Int32, Int32)]) {
        var capacity = 16
        while capacity < spellings.count * 4 { capacity <<= 1 }
        mask = capacity - 1
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry(word0: 0, word1: 0), count: capacity)
        tailOffsets = .allocate(capacity: capacity)
        tailOffsets.initialize(repeating: 0, count: capacity)
        var tails: [UInt8] = []
        for (node, key, field, child) in spellings {
            precondition(key.count <= Self.maxKeyLength, "key longer than the table holds")
            let (w0, w1, tail) = key.withUnsafeBufferPointer { k -> (UInt64, UInt64, UInt64) in
                let (w0, w1) = Self.words(k.baseAddress!, min(key.count, Self.wordBytes), paddedTo: 0)
                return (w0, w1, key.count > Self.wordBytes ? Self.tailHash(k.baseAddress!, key.count) : 0)
            }
            var slot = Self.hash(node, key.count, w0, w1, tail) & mask
            while entries[slot].startNode >= 0 {
                let e = entries[slot]
                if e.startNode == node && e.length == Int32(key.count) && e.word0 == w0 && e.word1 == w1
                    && Array(tails[Int(tailOffsets[slot])..<(Int(tailOffsets[slot]) + max(0, key.count - Self.wordBytes))])
                        == Array(key.dropFirst(Self.wordBytes)) { break }
                slot = (slot + 1) & mask
            }
            entries[slot] = Entry(word0: w0, word1: w1, startNode: node, length: Int32(key.count),
                                  field: field, childNode: child)
            tailOffsets[slot] = Int32(tails.count)
            tails += key.dropFirst(Self.wordBytes)
        }
        tailBytes = .allocate(capacity: max(tails.count, 1))
        tailBytes.initialize(from: tails, count: tails.count)
    }

    func deallocate() {
        entries.deallocate()
        tailOffsets.deallocate()
        tailBytes.deallocate()
    }

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

    /// A hash of the bytes of a key past its first 16 (`length` > 16): whole
    /// words, the last one loaded so that it ends with the key (overlapping
    /// the one before it), so nothing past the key is read.
    @inline(__always)
    static func tailHash(_ p: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        var h: UInt64 = 0x2545_F491_4F6C_DD1D
        var k = wordBytes
        while k &+ 8 <= length {
            h = (h ^ raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            k &+= 8
        }
        if k < length {
            h = (h ^ raw.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
        }
        return h
    }

    @inline(__always)
    static func hash(_ node: Int32, _ length: Int, _ w0: UInt64, _ w1: UInt64, _ tail: UInt64) -> Int {
        var h = (w0 ^ tail) &* 0x9E37_79B9_7F4A_7C15
        h ^= (w1 &+ UInt64(UInt32(bitPattern: node)) &<< 8 &+ UInt64(length)) &* 0xC2B2_AE3D_27D4_EB4F
        return Int(truncatingIfNeeded: h ^ (h &>> 29))
    }

    /// Looks up the key at `p` (`length` <= `maxKeyLength`; 16 bytes and the
    /// whole key readable from `p`) starting at `node`: the entry, or nil when
    /// no wanted path continues.
    @inline(__always)
    func lookup(_ node: Int32, _ p: UnsafePointer<UInt8>, _ length: Int) -> (field: Int32, child: Int32)? {
        let long = length > Self.wordBytes
        let (w0, w1) = Self.words(p, long ? Self.wordBytes : length, paddedTo: 16)
        let tail = long ? Self.tailHash(p, length) : 0
        var slot = Self.hash(node, length, w0, w1, tail) & mask
        while true {
            let e = entries[slot]
            if e.startNode < 0 { return nil }
            if e.word0 == w0 && e.word1 == w1 && e.startNode == node && e.length == Int32(length)
                && (!long || memcmp(tailBytes + Int(tailOffsets[slot]), p + Self.wordBytes, length &- Self.wordBytes) == 0) {
                return (e.field, e.childNode)
            }
            slot = (slot &+ 1) & mask
        }
    }
}
