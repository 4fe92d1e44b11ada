#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A compiled string test on raw UTF-8 bytes. Case-insensitive patterns are
/// stored lower-cased (ASCII) and the event bytes are folded on the fly, so no
/// per-event copy is made. Non-ASCII letters compare exactly (no Unicode folding).
/// Its bytes live in the rule's `MatcherArena`, which must outlive it.
struct StringPattern {
    /// The cheapest algorithm the wildcards allow, picked once at compile time.
    enum Shape: Equatable {
        case exact, prefix, suffix, contains
        /// `*` alone: any string value.
        case anything
        case glob
    }

    static let anyCharacterToken: Int16 = -1
    static let anyRunToken: Int16 = -2

    let shape: Shape
    let caseSensitive: Bool
    /// The literal for exact/prefix/suffix/contains.
    let literal: UnsafeBufferPointer<UInt8>
    /// For `.glob`: bytes 0...255, `anyCharacterToken`, `anyRunToken`.
    let glob: UnsafeBufferPointer<Int16>

    init(_ value: SigmaString, caseSensitive: Bool, arena: MatcherArena) {
        self.caseSensitive = caseSensitive
        // Collapse `**` and fold case once here instead of per event.
        var tokens: [SigmaString.Token] = []
        for t in value.tokens {
            if t == .anyRun, tokens.last == .anyRun { continue }
            if case .byte(let b) = t, !caseSensitive { tokens.append(.byte(StringPattern.lower(b))) } else { tokens.append(t) }
        }
        let runs = tokens.filter { $0 == .anyRun }.count
        let hasAnyCharacter = tokens.contains(.anyCharacter)
        let bytes = tokens.compactMap { t -> UInt8? in if case .byte(let b) = t { return b }; return nil }
        let startsWithRun = tokens.first == .anyRun
        let endsWithRun = tokens.last == .anyRun
        var shape = Shape.glob
        if !hasAnyCharacter {
            if runs == 0 { shape = .exact }
            else if tokens.count == 1 { shape = .anything }
            else if runs == 1 && endsWithRun { shape = .prefix }
            else if runs == 1 && startsWithRun { shape = .suffix }
            else if runs == 2 && startsWithRun && endsWithRun { shape = .contains }
        }
        self.shape = shape
        self.literal = arena.store(shape == .glob ? [] : bytes)
        self.glob = arena.store(shape == .glob ? tokens.map { t in
            switch t {
            case .byte(let b): return Int16(b)
            case .anyCharacter: return StringPattern.anyCharacterToken
            case .anyRun: return StringPattern.anyRunToken
            }
        } : [])
    }

    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { b &- 65 < 26 ? b | 0x20 : b }

    /// Relative cost, for ordering cheap tests first.
    var cost: Int {
        switch shape {
        case .anything: return 1
        case .exact, .prefix, .suffix: return 3
        case .contains: return 6
        case .glob: return 8
        }
    }

    @inline(__always)
    func matches(_ text: UnsafeRawBufferPointer) -> Bool {
        switch shape {
        case .anything: return true
        case .exact:
            return literal.count == text.count && equal(literal, text, at: 0)
        case .prefix:
            return literal.count <= text.count && equal(literal, text, at: 0)
        case .suffix:
            return literal.count <= text.count && equal(literal, text, at: text.count - literal.count)
        case .contains:
            return find(literal, in: text)
        case .glob:
            return globMatch(glob, text)
        }
    }

    /// `matches` for the pattern at `p`, read where it lies (a field test's
    /// patterns, in its arena): the usual exact test compares the length and
    /// the words without copying the pattern first.
    @inline(__always)
    static func matches(_ p: UnsafePointer<StringPattern>, _ text: UnsafeRawBufferPointer) -> Bool {
        guard p.pointee.shape == .exact else { return p.pointee.matches(text) }
        let literal = p.pointee.literal
        return literal.count == text.count && equal(literal, text, at: 0, caseSensitive: p.pointee.caseSensitive)
    }

    /// Whether `text` holds the literal `p` at `offset` (folding the text's
    /// ASCII case unless `caseSensitive`): eight bytes per step, then the rest.
    @inline(__always)
    private func equal(_ p: UnsafeBufferPointer<UInt8>, _ text: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        Self.equal(p, text, at: offset, caseSensitive: caseSensitive)
    }

    @inline(__always)
    private static func equal(_ p: UnsafeBufferPointer<UInt8>, _ text: UnsafeRawBufferPointer, at offset: Int,
                              caseSensitive: Bool) -> Bool {
        let n = p.count
        guard n > 0 else { return true }
        let a = UnsafeRawPointer(p.baseAddress!)
        let b = text.baseAddress! + offset
        var k = 0
        while k &+ 8 <= n {
            let want = a.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            let have = b.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            if want != (caseSensitive ? have : StringPattern.lowerASCII8(have)) { return false }
            k &+= 8
        }
        if k == n { return true }
        if n >= 8 {
            // The rest as the literal's last eight bytes, overlapping the words
            // already compared (a byte loop here was most of matching a value).
            let want = a.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            let have = b.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            return want == (caseSensitive ? have : StringPattern.lowerASCII8(have))
        }
        if caseSensitive {
            while k < n { if p[k] != text[offset &+ k] { return false }; k &+= 1 }
        } else {
            while k < n { if p[k] != StringPattern.lower(text[offset &+ k]) { return false }; k &+= 1 }
        }
        return true
    }

    /// `lower` applied to each byte lane of `w`: lanes holding `A`...`Z` get
    /// 0x20 added; others (digits, punctuation, non-ASCII) are left alone. No
    /// sum carries across lanes (every lane's operands stay below 0x100).
    @inline(__always)
    static func lowerASCII8(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7 = w & (ones &* 0x7f)
        // High bit set in a lane when its low 7 bits are >= 'A', resp. > 'Z'.
        let atLeastA = low7 &+ ones &* (0x80 &- 0x41)
        let aboveZ = low7 &+ ones &* (0x80 &- 0x5b)
        let upper = atLeastA & ~aboveZ & ~w & (ones &* 0x80)
        return w | (upper &>> 2)
    }

    /// Substring search: find candidates for the first byte, then compare the
    /// rest. When the first byte has no other case, libc's vectorised `memchr`
    /// finds the candidates.
    @inline(__always)
    private func find(_ p: UnsafeBufferPointer<UInt8>, in text: UnsafeRawBufferPointer) -> Bool {
        let m = p.count
        if m == 0 { return true }
        guard m <= text.count, let base = text.baseAddress else { return false }
        let first = p[0]
        let last = text.count - m
        if caseSensitive || first &- 97 >= 26 {
            var i = 0
            while i <= last {
                guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return false }
                i = base.distance(to: UnsafeRawPointer(hit))
                if equal(p, text, at: i) { return true }
                i += 1
            }
            return false
        }
        var i = 0
        while i <= last {
            if StringPattern.lower(text[i]) == first && equal(p, text, at: i) { return true }
            i += 1
        }
        return false
    }

    /// Wildcard match with single-star backtracking (linear in practice);
    /// `?` consumes one whole UTF-8 character.
    private func globMatch(_ p: UnsafeBufferPointer<Int16>, _ text: UnsafeRawBufferPointer) -> Bool {
        let n = text.count, m = p.count
        var s = 0, k = 0
        var starK = -1, starS = 0
        while s < n {
            if k < m {
                let t = p[k]
                if t == StringPattern.anyRunToken {
                    starK = k; starS = s; k += 1
                    continue
                }
                if t == StringPattern.anyCharacterToken {
                    s += StringPattern.utf8Length(text[s]); k += 1
                    continue
                }
                let c = caseSensitive ? text[s] : StringPattern.lower(text[s])
                if Int16(c) == t { s += 1; k += 1; continue }
            }
            guard starK >= 0 else { return false }
            // Let the last `*` swallow one more character and retry after it.
            starS += StringPattern.utf8Length(text[starS])
            s = starS
            k = starK + 1
        }
        while k < m, p[k] == StringPattern.anyRunToken { k += 1 }
        return k == m && s == n
    }

    @inline(__always)
    static func utf8Length(_ lead: UInt8) -> Int {
        if lead < 0xC0 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }
}
