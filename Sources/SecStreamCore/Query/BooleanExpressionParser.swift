/// An expression with `and`, `or` and `not` nodes: a `--where` query or a
/// Sigma condition. The enums' cases are the witnesses.
protocol BooleanExpression {
    static func and(_ left: Self, _ right: Self) -> Self
    static func or(_ left: Self, _ right: Self) -> Self
    static func not(_ operand: Self) -> Self
}

/// The boolean layers both expression parsers share: `or` < `and` < `not`
/// (least to most binding, as in SQL and the Sigma specification), binary
/// operators left-associative, keywords case-insensitive. A parser supplies
/// its keyword test and what binds tighter than `not`.
protocol BooleanExpressionParser {
    associatedtype Expression: BooleanExpression
    /// Consumes the next token when it is the keyword `keyword` (lower case).
    mutating func accept(keyword: String) -> Bool
    /// A parenthesised expression (through `parseOr`) or a test.
    mutating func parsePrimary() throws -> Expression
}

extension BooleanExpressionParser {
    mutating func parseOr() throws -> Expression {
        try parseLeftAssociative("or", Expression.or) { try $0.parseAnd() }
    }

    mutating func parseAnd() throws -> Expression {
        try parseLeftAssociative("and", Expression.and) { try $0.parseNot() }
    }

    mutating func parseNot() throws -> Expression {
        if accept(keyword: "not") { return .not(try parseNot()) }
        return try parsePrimary()
    }

    /// `operand (keyword operand)*`, folded to the left.
    private mutating func parseLeftAssociative(_ keyword: String, _ join: (Expression, Expression) -> Expression,
                                               _ operand: (inout Self) throws -> Expression) throws -> Expression {
        var left = try operand(&self)
        while accept(keyword: keyword) { left = join(left, try operand(&self)) }
        return left
    }
}

extension QueryExpression: BooleanExpression {}
extension ConditionExpression: BooleanExpression {}
