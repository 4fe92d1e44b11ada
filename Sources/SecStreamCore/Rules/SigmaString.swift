/// A Sigma string value as a sequence of literal bytes and wildcards, after
/// Sigma's escaping rules: `*` any run, `?` one character; `\*`, `\?` and `\\`
/// stand for the plain character; a backslash before anything else is literal
/// (so `C:\Windows\*` is `C:\Windows\` followed by a wildcard).
struct SigmaString: Equatable {
    enum Token: Equatable {
        case byte(UInt8)
        /// `?`: exactly one character (one UTF-8 scalar).
        case anyCharacter
        /// `*`: any run of bytes, possibly empty.
        case anyRun
    }

    var tokens: [Token]

    init(tokens: [Token]) { self.tokens = tokens }

    /// Parses wildcards and escapes.
    init(parsing text: String) {
        var tokens: [Token] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\\"), i + 1 < bytes.count,
               bytes[i + 1] == UInt8(ascii: "*") || bytes[i + 1] == UInt8(ascii: "?") || bytes[i + 1] == UInt8(ascii: "\\") {
                tokens.append(.byte(bytes[i + 1]))
                i += 2
            } else if b == UInt8(ascii: "*") {
                tokens.append(.anyRun); i += 1
            } else if b == UInt8(ascii: "?") {
                tokens.append(.anyCharacter); i += 1
            } else {
                tokens.append(.byte(b)); i += 1
            }
        }
        self.tokens = tokens
    }

    /// Plain text with no wildcard at all (numbers, `re`, `cidr`, encodings).
    init(literal bytes: [UInt8]) { tokens = bytes.map { .byte($0) } }

    var hasWildcards: Bool { tokens.contains { $0 == .anyRun || $0 == .anyCharacter } }

    /// The bytes when there is no wildcard.
    var literalBytes: [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(tokens.count)
        for t in tokens {
            guard case .byte(let b) = t else { return nil }
            out.append(b)
        }
        return out
    }

    /// The value as Sigma wrote it, wildcards re-escaped (for messages and `re`).
    var text: String {
        var out: [UInt8] = []
        for t in tokens {
            switch t {
            case .byte(let b): out.append(b)
            case .anyCharacter: out.append(UInt8(ascii: "?"))
            case .anyRun: out.append(UInt8(ascii: "*"))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func wrapped(leading: Bool, trailing: Bool) -> SigmaString {
        var t = tokens
        if leading { t.insert(.anyRun, at: 0) }
        if trailing { t.append(.anyRun) }
        return SigmaString(tokens: t)
    }

    /// Maps literal bytes through `transform`, leaving wildcards in place
    /// (keyword search uses it to match values as they are escaped in a JSON line).
    func mappingBytes(_ transform: (UInt8) -> [UInt8]) -> SigmaString {
        var out: [Token] = []
        for t in tokens {
            if case .byte(let b) = t { out.append(contentsOf: transform(b).map { .byte($0) }) } else { out.append(t) }
        }
        return SigmaString(tokens: out)
    }
}
