/// The caseless `exact`, `startswith` and `endswith` values of one field test,
/// found by hashing instead of comparing them one by one.
///
/// SigmaHQ rules list hundreds of values for one field (`ImageLoaded|endswith:`
/// 400 DLL names, `Image|endswith:` every system binary): tested in turn, each
/// is a length check and a compare, and such a rule cost more than the
/// prefilter's scans of the whole event. Here the value is walked once from
/// each end, folding ASCII case and extending a hash byte by byte; at each
/// length some literal has, one probe of an open-addressing table, and a hit
/// is confirmed by comparing the bytes. The cost follows the value's length
/// (at most the longest literal), not the number of literals.
///
/// A plain value (POD buffers in the rule's `MatcherArena`), as the rest of a
/// compiled detection.
struct AffixIndex {
    enum Shape: UInt8 { case exact = 0, prefix = 1, suffix = 2 }

    struct Entry {
        /// `key(hash, length, shape)`; 0 marks an empty slot (a real key is never 0).
        var key: UInt64
        var literal: UnsafePointer<UInt8>?
        var length: Int32
        var shape: UInt8
    }

    /// Below this many indexable values a field test keeps the plain loop.
    static let minimumValues = 8

    private let table: UnsafeBufferPointer<Entry>
    private let mask: Int
    /// `isLength[shape][L]`: some literal of that shape has length L (bytes, as 0/1).
    private let prefixLengths: UnsafeBufferPointer<UInt8>
    private let suffixLengths: UnsafeBufferPointer<UInt8>
    private let exactLengths: UnsafeBufferPointer<UInt8>

    /// How many literals it holds (for the cost estimate).
    let count: Int

    /// Whether `pattern` can be indexed: caseless, no wildcard but a leading or
    /// trailing run, not empty.
    static func accepts(_ pattern: StringPattern) -> Bool {
        guard !pattern.caseSensitive, pattern.literal.count > 0 else { return false }
        switch pattern.shape {
        case .exact, .prefix, .suffix: return true
        default: return false
        }
    }

    /// `patterns`: all accepted by `accepts`; their literals are lower-cased
    /// already and live in `arena` (the entries point into them).
    init(_ patterns: [StringPattern], arena: MatcherArena) {
        var entries: [Entry] = []
        var prefix: [UInt8] = [], suffix: [UInt8] = [], exact: [UInt8] = []
        func mark(_ lengths: inout [UInt8], _ n: Int) {
            if lengths.count <= n { lengths += [UInt8](repeating: 0, count: n + 1 - lengths.count) }
            lengths[n] = 1
        }
        for p in patterns {
            let shape: Shape
            switch p.shape {
            case .exact: shape = .exact; mark(&exact, p.literal.count)
            case .prefix: shape = .prefix; mark(&prefix, p.literal.count)
            case .suffix: shape = .suffix; mark(&suffix, p.literal.count)
            default: preconditionFailure("AffixIndex takes exact, prefix and suffix patterns only")
            }
            var h = Self.seed
            if shape == .suffix {
                for b in p.literal.reversed() { h = Self.step(h, b) }
            } else {
                for b in p.literal { h = Self.step(h, b) }
            }
            entries.append(Entry(key: Self.key(h, p.literal.count, shape), literal: p.literal.baseAddress,
                                 length: Int32(p.literal.count), shape: shape.rawValue))
        }
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        var slots = [Entry](repeating: Entry(key: 0, literal: nil, length: 0, shape: 0), count: capacity)
        for e in entries {
            var s = Int(truncatingIfNeeded: e.key) & (capacity - 1)
            while slots[s].key != 0 { s = (s + 1) & (capacity - 1) }
            slots[s] = e
        }
        table = arena.store(slots)
        mask = capacity - 1
        prefixLengths = arena.store(prefix)
        suffixLengths = arena.store(suffix)
        exactLengths = arena.store(exact)
        count = entries.count
    }

    private static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// FNV-1a over the lower-cased byte.
    @inline(__always)
    private static func step(_ h: UInt64, _ b: UInt8) -> UInt64 {
        (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3
    }

    @inline(__always)
    private static func key(_ h: UInt64, _ length: Int, _ shape: Shape) -> UInt64 {
        var k = (h ^ (UInt64(length) &<< 2 | UInt64(shape.rawValue))) &* 0x9E37_79B9_7F4A_7C15
        k ^= k &>> 29
        return k == 0 ? 1 : k
    }

    /// Whether a literal of the index matches `text` (its whole, its start or its end).
    @inline(__always)
    func matches(_ text: UnsafeRawBufferPointer) -> Bool {
        let n = text.count
        guard n > 0, let base = text.baseAddress else { return false }
        if prefixLengths.count > 0 || exactLengths.count > 0 {
            // Forward: prefixes of every listed length, and the whole value for `exact`.
            let limit = min(n, max(prefixLengths.count, exactLengths.count) &- 1)
            var h = Self.seed
            var i = 0
            while i < limit {
                h = Self.step(h, StringPattern.lower(base.load(fromByteOffset: i, as: UInt8.self)))
                i &+= 1
                if i < prefixLengths.count && prefixLengths[i] != 0 && probe(h, i, .prefix, base) { return true }
            }
            if n < exactLengths.count && exactLengths[n] != 0 && i == n && probe(h, n, .exact, base) { return true }
        }
        if suffixLengths.count > 0 {
            let limit = min(n, suffixLengths.count &- 1)
            var h = Self.seed
            var i = 0
            while i < limit {
                h = Self.step(h, StringPattern.lower(base.load(fromByteOffset: n &- 1 &- i, as: UInt8.self)))
                i &+= 1
                if suffixLengths[i] != 0 && probe(h, i, .suffix, base + (n &- i)) { return true }
            }
        }
        return false
    }

    /// Looks up the literal of `length` bytes and `shape` whose hash is `h`,
    /// confirming it against the `length` bytes at `at`.
    @inline(__always)
    private func probe(_ h: UInt64, _ length: Int, _ shape: Shape, _ at: UnsafeRawPointer) -> Bool {
        let k = Self.key(h, length, shape)
        var s = Int(truncatingIfNeeded: k) & mask
        while true {
            let e = table[s]
            if e.key == 0 { return false }
            if e.key == k && Int(e.length) == length && e.shape == shape.rawValue && Self.equalFolded(e.literal!, at, length) {
                return true
            }
            s = (s &+ 1) & mask
        }
    }

    /// Whether the `n` bytes at `text`, ASCII-lower-cased, equal `literal`.
    @inline(__always)
    private static func equalFolded(_ literal: UnsafePointer<UInt8>, _ text: UnsafeRawPointer, _ n: Int) -> Bool {
        var k = 0
        while k &+ 8 <= n {
            let want = UnsafeRawPointer(literal).loadUnaligned(fromByteOffset: k, as: UInt64.self)
            if want != StringPattern.lowerASCII8(text.loadUnaligned(fromByteOffset: k, as: UInt64.self)) { return false }
            k &+= 8
        }
        while k < n {
            if literal[k] != StringPattern.lower(text.load(fromByteOffset: k, as: UInt8.self)) { return false }
            k &+= 1
        }
        return true
    }
}
