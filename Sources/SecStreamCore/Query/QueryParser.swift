/// Recursive-descent parser for the `--where` language of secstream-query(1):
///
///     expr  := or
///     or    := and ("or" and)*
///     and   := unary ("and" unary)*
///     unary := "not" unary | "(" expr ")" | test
///     test  := FIELD op VALUE | FIELD "in" "[" VALUE ("," VALUE)* "]" | FIELD "in" CIDR
///            | FIELD ("contains"|"startswith"|"endswith"|"matches") STRING | "exists" FIELD
///
/// so `not` binds tighter than `and`, and `and` tighter than `or`, as in SQL.
/// Keywords are case-insensitive. Every error names the column it found.
public struct QueryParser: BooleanExpressionParser {
    private let tokens: [QueryToken]
    private var at = 0

    public static func parse(_ text: String) throws -> QueryExpression {
        var parser = QueryParser(tokens: try QueryLexer.tokenize(text))
        let expression = try parser.parseOr()
        let rest = parser.peek
        guard rest.kind == .end else { throw QueryError(column: rest.column, "unexpected \(Self.describe(rest)) after a complete expression") }
        return expression
    }

    private init(tokens: [QueryToken]) { self.tokens = tokens }

    private var peek: QueryToken { tokens[at] }

    private mutating func advance() -> QueryToken {
        let t = tokens[at]
        if at < tokens.count - 1 { at += 1 }
        return t
    }

    mutating func accept(keyword: String) -> Bool {
        guard peek.isKeyword(keyword) else { return false }
        _ = advance()
        return true
    }

    /// `or`, `and` and `not` come from `BooleanExpressionParser`.
    mutating func parsePrimary() throws -> QueryExpression {
        let t = peek
        if t.kind == .leftParen {
            _ = advance()
            let inner = try parseOr()
            guard peek.kind == .rightParen else { throw QueryError(column: peek.column, "expected ')' to close the '(' at column \(t.column), found \(Self.describe(peek))") }
            _ = advance()
            return inner
        }
        if t.isKeyword("exists") {
            _ = advance()
            return .exists(field: try field())
        }
        return try test()
    }

    private static let reserved: Set<String> = ["and", "or", "not", "in", "exists", "contains", "startswith", "endswith", "matches", "true", "false", "null"]

    private mutating func field() throws -> String {
        let t = advance()
        guard case .word(let name) = t.kind, !name.isEmpty, !Self.reserved.contains(name.lowercased()) else {
            throw QueryError(column: t.column, "expected a field name, found \(Self.describe(t))")
        }
        return name
    }

    private mutating func test() throws -> QueryExpression {
        let name = try field()
        let t = advance()
        switch t.kind {
        case .op(let op):
            return .compare(field: name, op, try value())
        case .word(let w):
            switch w.lowercased() {
            case "in":
                if peek.kind == .leftBracket { return .oneOf(field: name, try list()) }
                return .inCIDR(field: name, try cidr())
            case "contains": return .contains(field: name, try string(after: w))
            case "startswith": return .startsWith(field: name, try string(after: w))
            case "endswith": return .endsWith(field: name, try string(after: w))
            case "matches": return .matches(field: name, try string(after: w))
            default: break
            }
        default: break
        }
        throw QueryError(column: t.column, "expected an operator (= != < <= > >= in contains startswith endswith matches) after '\(name)', found \(Self.describe(t))")
    }

    private mutating func value() throws -> QueryValue {
        let t = advance()
        switch t.kind {
        case .string(let s): return .string(s)
        case .word(let w):
            switch w.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default:
                if let d = Double(w), d.isFinite, w.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true {
                    return .number(d)
                }
                throw QueryError(column: t.column, "expected a value (\"string\", number, true, false or null), found '\(w)' (quote strings)")
            }
        default:
            throw QueryError(column: t.column, "expected a value (\"string\", number, true, false or null), found \(Self.describe(t))")
        }
    }

    private mutating func list() throws -> [QueryValue] {
        let open = advance()
        var values: [QueryValue] = []
        if peek.kind == .rightBracket { throw QueryError(column: peek.column, "empty list after 'in'") }
        while true {
            values.append(try value())
            let t = advance()
            if t.kind == .rightBracket { return values }
            guard t.kind == .comma else { throw QueryError(column: t.column, "expected ',' or ']' in the list opened at column \(open.column), found \(Self.describe(t))") }
        }
    }

    private mutating func cidr() throws -> String {
        let t = advance()
        let text: String
        switch t.kind {
        case .word(let w): text = w
        case .string(let s): text = s
        default: throw QueryError(column: t.column, "expected '[' or a CIDR block (10.0.0.0/8, 2001:db8::/32) after 'in', found \(Self.describe(t))")
        }
        guard CIDRBlock(text) != nil else { throw QueryError(column: t.column, "'\(text)' is not a CIDR block (10.0.0.0/8, 2001:db8::/32)") }
        return text
    }

    private mutating func string(after keyword: String) throws -> String {
        let t = advance()
        guard case .string(let s) = t.kind else { throw QueryError(column: t.column, "expected a quoted string after '\(keyword)', found \(Self.describe(t))") }
        return s
    }

    private static func describe(_ t: QueryToken) -> String {
        switch t.kind {
        case .word(let w): return "'\(w)'"
        case .string(let s): return "\"\(s)\""
        case .op(let op): return "'\(op.rawValue)'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .comma: return "','"
        case .end: return "the end of the expression"
        }
    }
}
