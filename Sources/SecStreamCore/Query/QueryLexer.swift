/// Splits a `--where` expression into tokens (off the hot path: once per run).
/// Strings are double-quoted with JSON escapes (`\"`, `\\`, `\n`, `\t`,
/// `\uXXXX`); single quotes work too, for shells where double quotes are awkward.
struct QueryLexer {
    private let chars: [Character]
    private var i = 0

    init(_ text: String) { chars = Array(text) }

    static func tokenize(_ text: String) throws -> [QueryToken] {
        var lexer = QueryLexer(text)
        var tokens: [QueryToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private static let wordStops: Set<Character> = ["(", ")", "[", "]", ",", "\"", "'", "=", "!", "<", ">"]

    mutating func next() throws -> QueryToken {
        while i < chars.count, chars[i].isWhitespace { i += 1 }
        let column = i + 1
        guard i < chars.count else { return QueryToken(kind: .end, column: column) }
        let c = chars[i]
        func single(_ kind: QueryToken.Kind) -> QueryToken { i += 1; return QueryToken(kind: kind, column: column) }
        switch c {
        case "(": return single(.leftParen)
        case ")": return single(.rightParen)
        case "[": return single(.leftBracket)
        case "]": return single(.rightBracket)
        case ",": return single(.comma)
        case "=":
            i += 1
            if i < chars.count, chars[i] == "=" { i += 1 }  // `==` is accepted as `=`
            return QueryToken(kind: .op(.equal), column: column)
        case "!":
            guard i + 1 < chars.count, chars[i + 1] == "=" else { throw QueryError(column: column, "'!' must be followed by '=' (use 'not' to negate)") }
            i += 2
            return QueryToken(kind: .op(.notEqual), column: column)
        case "<", ">":
            i += 1
            let orEqual = i < chars.count && chars[i] == "="
            if orEqual { i += 1 }
            let op: QueryComparison = c == "<" ? (orEqual ? .lessOrEqual : .less) : (orEqual ? .greaterOrEqual : .greater)
            return QueryToken(kind: .op(op), column: column)
        case "\"", "'":
            return QueryToken(kind: .string(try string(quote: c, column: column)), column: column)
        default:
            var word = ""
            while i < chars.count, !chars[i].isWhitespace, !Self.wordStops.contains(chars[i]) {
                word.append(chars[i])
                i += 1
            }
            return QueryToken(kind: .word(word), column: column)
        }
    }

    private mutating func string(quote: Character, column: Int) throws -> String {
        i += 1
        var out = ""
        while i < chars.count {
            let c = chars[i]
            i += 1
            if c == quote { return out }
            guard c == "\\" else { out.append(c); continue }
            guard i < chars.count else { break }
            let e = chars[i]
            i += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "u":
                guard i + 4 <= chars.count, let v = UInt32(String(chars[i..<(i + 4)]), radix: 16),
                      let scalar = Unicode.Scalar(v) else {
                    throw QueryError(column: i - 1, "bad \\u escape (four hex digits of a non-surrogate code point)")
                }
                out.unicodeScalars.append(scalar)
                i += 4
            case "\"", "'", "\\", "/": out.append(e)
            // Any other escape keeps its backslash, so a regex's `\d` or `\.`
            // can be written as it is.
            default: out.append("\\"); out.append(e)
            }
        }
        throw QueryError(column: column, "unterminated string")
    }
}
