/// Parses the regular-expression flavor the Sigma specification defines for
/// `|re` (`.`, `^`, `$`, `* + ? {n,m}` and their lazy forms, classes, groups,
/// alternation, and the `\d \w \s` shorthands) over ASCII, so most rule regexes
/// run on bytes. Anything outside it (look-around, back-references, `\b`,
/// Unicode properties, non-ASCII text) returns nil and the rule keeps
/// NSRegularExpression for that value.
struct ByteRegexParser {
    /// A set of ASCII bytes as two 64-bit masks.
    struct ByteSet: Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        mutating func insert(_ b: UInt8) {
            if b < 64 { low |= 1 << UInt64(b) } else { high |= 1 << UInt64(b - 64) }
        }
        mutating func insert(_ range: ClosedRange<UInt8>) { for b in range { insert(b) } }
        mutating func formUnion(_ o: ByteSet) { low |= o.low; high |= o.high }
        var inverted: ByteSet { ByteSet(low: ~low, high: ~high) }

        @inline(__always)
        func contains(_ b: UInt8) -> Bool {
            b < 64 ? low >> UInt64(b) & 1 == 1 : b < 128 && high >> UInt64(b - 64) & 1 == 1
        }

        /// Adds the other case of every ASCII letter (the `i` flag).
        var caseFolded: ByteSet {
            var s = self
            for b in UInt8(ascii: "a")...UInt8(ascii: "z") where contains(b) || contains(b - 32) {
                s.insert(b); s.insert(b - 32)
            }
            return s
        }

        static let digits: ByteSet = { var s = ByteSet(); s.insert(48...57); return s }()
        static let word: ByteSet = {
            var s = digits; s.insert(65...90); s.insert(97...122); s.insert(UInt8(ascii: "_")); return s
        }()
        /// ICU's `\s` within ASCII: space, tab, newline, form feed, carriage return.
        static let space: ByteSet = {
            var s = ByteSet(); for b: UInt8 in [0x20, 0x09, 0x0A, 0x0C, 0x0D] { s.insert(b) }; return s
        }()
        static let all = ByteSet(low: ~0, high: ~0)
    }

    indirect enum Node: Equatable {
        case set(ByteSet)
        case concat([Node])
        case alternation([Node])
        /// `max` nil is unbounded.
        case repetition(Node, min: Int, max: Int?, lazy: Bool)
        case lineStart
        case lineEnd

        /// The fewest characters any match consumes (a cheap length pre-check).
        var minimumLength: Int {
            switch self {
            case .set: return 1
            case .concat(let parts): return parts.reduce(0) { $0 + $1.minimumLength }
            case .alternation(let options): return options.map(\.minimumLength).min() ?? 0
            case .repetition(let inner, let min, _, _): return min * inner.minimumLength
            case .lineStart, .lineEnd: return 0
            }
        }
    }

    private let bytes: [UInt8]
    private var i = 0
    /// Set when a construct outside the flavor was seen mid-parse.
    private var unsupported = false
    private let caseInsensitive: Bool
    private let dotAll: Bool

    /// Nil when `pattern` uses anything outside the supported flavor.
    static func parse(_ pattern: String, caseInsensitive: Bool, dotAll: Bool) -> Node? {
        var p = ByteRegexParser(bytes: Array(pattern.utf8), caseInsensitive: caseInsensitive, dotAll: dotAll)
        guard p.bytes.allSatisfy({ $0 < 128 }), let node = p.alternation(), p.i == p.bytes.count else { return nil }
        return node
    }

    private init(bytes: [UInt8], caseInsensitive: Bool, dotAll: Bool) {
        self.bytes = bytes
        self.caseInsensitive = caseInsensitive
        self.dotAll = dotAll
    }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func alternation() -> Node? {
        var options: [Node] = []
        while true {
            guard let c = concatenation() else { return nil }
            options.append(c)
            guard peek == UInt8(ascii: "|") else { break }
            i += 1
        }
        return options.count == 1 ? options[0] : .alternation(options)
    }

    private mutating func concatenation() -> Node? {
        var parts: [Node] = []
        while let c = peek, c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
            guard var atom = atom() else { return nil }
            if let q = quantifier() {
                guard q.min <= (q.max ?? Int.max), atom != .lineStart, atom != .lineEnd else { return nil }
                atom = .repetition(atom, min: q.min, max: q.max, lazy: q.lazy)
            } else if unsupported || peek == UInt8(ascii: "{") {
                return nil  // a possessive quantifier, or a `{` that is no quantifier: left to ICU
            }
            parts.append(atom)
        }
        return parts.count == 1 ? parts[0] : .concat(parts)
    }

    private mutating func atom() -> Node? {
        guard let c = peek else { return nil }
        i += 1
        switch c {
        case UInt8(ascii: "("):
            if peek == UInt8(ascii: "?") {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ":") else { return nil }
                i += 2
            }
            guard let inner = alternation(), peek == UInt8(ascii: ")") else { return nil }
            i += 1
            return inner
        case UInt8(ascii: "["): return characterClass()
        case UInt8(ascii: "."): return .set(dotAll ? .all : ByteSet.all.subtracting(lineTerminators))
        case UInt8(ascii: "^"): return .lineStart
        case UInt8(ascii: "$"): return .lineEnd
        case UInt8(ascii: "\\"):
            guard let s = escape(inClass: false) else { return nil }
            return .set(fold(s))
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: ")"), UInt8(ascii: "]"):
            return nil
        default:
            var s = ByteSet(); s.insert(c)
            return .set(fold(s))
        }
    }

    private var lineTerminators: ByteSet { var s = ByteSet(); s.insert(0x0A...0x0D); return s }

    private func fold(_ s: ByteSet) -> ByteSet { caseInsensitive ? s.caseFolded : s }

    /// `\d \w \s` (and negations), escaped punctuation, `\t \n \r \f`.
    private mutating func escape(inClass: Bool) -> ByteSet? {
        guard let c = peek else { return nil }
        i += 1
        var s = ByteSet()
        switch c {
        case UInt8(ascii: "d"): return .digits
        case UInt8(ascii: "D"): return ByteSet.digits.inverted
        case UInt8(ascii: "w"): return .word
        case UInt8(ascii: "W"): return ByteSet.word.inverted
        case UInt8(ascii: "s"): return .space
        case UInt8(ascii: "S"): return ByteSet.space.inverted
        case UInt8(ascii: "t"): s.insert(0x09)
        case UInt8(ascii: "n"): s.insert(0x0A)
        case UInt8(ascii: "r"): s.insert(0x0D)
        case UInt8(ascii: "f"): s.insert(0x0C)
        default:
            // Only punctuation escapes stand for themselves; letters and digits
            // are ICU features (\b, \x.., \p{..}, \1) left to NSRegularExpression.
            let isAlphanumeric = (c | 0x20) &- 97 < 26 || c &- 48 < 10
            guard !isAlphanumeric else { return nil }
            s.insert(c)
        }
        return s
    }

    private mutating func characterClass() -> Node? {
        var negated = false
        if peek == UInt8(ascii: "^") { negated = true; i += 1 }
        var s = ByteSet()
        var first = true
        while let c = peek {
            if c == UInt8(ascii: "]") && !first { break }
            // ICU treats `[` inside a class as a nested set: not supported here.
            if c == UInt8(ascii: "[") { return nil }
            first = false
            i += 1
            var low: UInt8
            if c == UInt8(ascii: "\\") {
                guard let e = escape(inClass: true) else { return nil }
                if e.low.nonzeroBitCount + e.high.nonzeroBitCount != 1 { s.formUnion(e); continue }
                low = UInt8(e.low != 0 ? e.low.trailingZeroBitCount : 64 + e.high.trailingZeroBitCount)
            } else {
                low = c
            }
            if peek == UInt8(ascii: "-"), i + 1 < bytes.count, bytes[i + 1] != UInt8(ascii: "]") {
                i += 1
                guard var high = peek else { return nil }
                i += 1
                if high == UInt8(ascii: "\\") {
                    guard let e = escape(inClass: true), e.low.nonzeroBitCount + e.high.nonzeroBitCount == 1 else { return nil }
                    high = UInt8(e.low != 0 ? e.low.trailingZeroBitCount : 64 + e.high.trailingZeroBitCount)
                }
                guard low <= high else { return nil }
                s.insert(low...high)
            } else {
                s.insert(low)
            }
        }
        guard peek == UInt8(ascii: "]") else { return nil }
        i += 1
        s = fold(s)
        return .set(negated ? s.inverted : s)
    }

    /// `* + ? {n} {n,} {n,m}`, optionally lazy (`?` after it); possessive forms are not supported.
    private mutating func quantifier() -> (min: Int, max: Int?, lazy: Bool)? {
        guard let c = peek else { return nil }
        var q: (min: Int, max: Int?)
        switch c {
        case UInt8(ascii: "*"): q = (0, nil); i += 1
        case UInt8(ascii: "+"): q = (1, nil); i += 1
        case UInt8(ascii: "?"): q = (0, 1); i += 1
        case UInt8(ascii: "{"):
            var j = i + 1
            func number() -> Int? {
                var v = 0, digits = 0
                while j < bytes.count, bytes[j] &- 48 < 10, digits < 6 { v = v * 10 + Int(bytes[j] - 48); j += 1; digits += 1 }
                return digits > 0 ? v : nil
            }
            guard let min = number() else { return nil }
            var max: Int? = min
            if j < bytes.count, bytes[j] == UInt8(ascii: ",") {
                j += 1
                max = number()
            }
            guard j < bytes.count, bytes[j] == UInt8(ascii: "}") else { return nil }
            i = j + 1
            q = (min, max)
        default:
            return nil
        }
        var lazy = false
        if peek == UInt8(ascii: "?") { lazy = true; i += 1 }
        if peek == UInt8(ascii: "+") { unsupported = true; return nil }
        return (q.min, q.max, lazy)
    }
}

extension ByteRegexParser.ByteSet {
    func subtracting(_ o: Self) -> Self { Self(low: low & ~o.low, high: high & ~o.high) }
}
