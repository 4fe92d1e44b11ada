/// One lexical token of a `--where` expression. Bare words cover field names,
/// keywords, numbers and CIDR blocks: which one a word is depends on where the
/// parser meets it (`10.0.0.0/8` after `in` is a network, after `=` it would
/// be a bad number).
struct QueryToken: Equatable {
    enum Kind: Equatable {
        case word(String)
        case string(String)
        case op(QueryComparison)
        case leftParen, rightParen, leftBracket, rightBracket, comma
        case end
    }

    let kind: Kind
    /// 1-based column of the token's first character.
    let column: Int

    /// The keyword this word spells (case-insensitive), if any.
    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let w) = kind { return w.lowercased() == keyword }
        return false
    }
}

/// `= != < <= > >=`.
public enum QueryComparison: String, Sendable, Equatable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}
