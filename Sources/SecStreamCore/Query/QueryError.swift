/// A `--where` expression that does not parse or compile: the message names the
/// 1-based column where the problem starts, as `jq` and DuckDB point at errors.
public struct QueryError: Error, CustomStringConvertible, Equatable {
    /// 1-based character column in the expression text.
    public let column: Int
    public let message: String

    public init(column: Int, _ message: String) {
        self.column = column
        self.message = message
    }

    public var description: String { "--where: column \(column): \(message)" }
}
