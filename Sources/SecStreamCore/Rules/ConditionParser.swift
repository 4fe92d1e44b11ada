/// A parsed Sigma `condition`, before selection names are bound.
indirect enum ConditionExpression: Equatable {
    case selection(String)
    /// `1 of X*` / `all of X*`; a nil pattern is `them`.
    case quantified(all: Bool, pattern: String?)
    case and(ConditionExpression, ConditionExpression)
    case or(ConditionExpression, ConditionExpression)
    case not(ConditionExpression)
}

/// Parses Sigma conditions: `or` < `and` < `not` < `x of` < parentheses
/// (least to most binding, as the Sigma specification orders them).
struct ConditionParser: BooleanExpressionParser {
    struct SyntaxError: Error {
        let message: String
    }

    private enum Token: Equatable {
        case word(String)
        case open, close
        case end
    }

    private var tokens: [Token] = []
    private var position = 0

    static func parse(_ text: String) throws -> ConditionExpression {
        var parser = ConditionParser()
        parser.tokens = try tokenize(text)
        let expression = try parser.parseOr()
        guard parser.peek == .end else { throw SyntaxError(message: "unexpected \(describe(parser.peek))") }
        return expression
    }

    private static func tokenize(_ text: String) throws -> [Token] {
        var out: [Token] = []
        var word = ""
        func flush() { if !word.isEmpty { out.append(.word(word)); word = "" } }
        for ch in text {
            switch ch {
            case "(": flush(); out.append(.open)
            case ")": flush(); out.append(.close)
            case " ", "\t", "\n", "\r": flush()
            default:
                guard ch.isLetter || ch.isNumber || ch == "_" || ch == "*" || ch == "-" || ch == "." else {
                    throw SyntaxError(message: "unexpected character '\(ch)'")
                }
                word.append(ch)
            }
        }
        flush()
        out.append(.end)
        return out
    }

    private static func describe(_ token: Token) -> String {
        switch token {
        case .word(let w): return "'\(w)'"
        case .open: return "'('"
        case .close: return "')'"
        case .end: return "end of condition"
        }
    }

    private var peek: Token { tokens[position] }

    private mutating func advance() -> Token {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    private func isKeyword(_ t: Token, _ k: String) -> Bool {
        if case .word(let w) = t { return w.lowercased() == k }
        return false
    }

    mutating func accept(keyword: String) -> Bool {
        guard isKeyword(peek, keyword) else { return false }
        _ = advance()
        return true
    }

    /// `or`, `and` and `not` come from `BooleanExpressionParser`.
    mutating func parsePrimary() throws -> ConditionExpression {
        let t = advance()
        switch t {
        case .open:
            let inner = try parseOr()
            guard advance() == .close else { throw SyntaxError(message: "missing ')'") }
            return inner
        case .word(let w):
            let lower = w.lowercased()
            if lower == "1" || lower == "any" || lower == "all" {
                guard isKeyword(peek, "of") else {
                    throw SyntaxError(message: "expected 'of' after '\(w)', found \(ConditionParser.describe(peek))")
                }
                _ = advance()
                guard case .word(let target) = advance() else {
                    throw SyntaxError(message: "expected a selection pattern or 'them' after '\(w) of'")
                }
                if ["and", "or", "not", "of"].contains(target.lowercased()) {
                    throw SyntaxError(message: "expected a selection pattern or 'them' after '\(w) of', found '\(target)'")
                }
                return .quantified(all: lower == "all", pattern: target.lowercased() == "them" ? nil : target)
            }
            if Int(w) != nil, isKeyword(peek, "of") {
                throw SyntaxError(message: "'\(w) of' is not supported (use '1 of', 'any of' or 'all of')")
            }
            if ["and", "or", "of", "them"].contains(lower) || Int(w) != nil {
                throw SyntaxError(message: "unexpected '\(w)'")
            }
            return .selection(w)
        default:
            throw SyntaxError(message: "unexpected \(ConditionParser.describe(t))")
        }
    }
}
