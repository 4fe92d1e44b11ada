/// What `secstream query` was asked to do; strings are validated by `QueryRunner`.
public struct QueryOptions {
    public var archive = ""
    public var from: String?
    public var to: String?
    public var whereExpression: String?
    /// Comma-separated dotted fields.
    public var select: String?
    public var countBy: String?
    public var limit: Int?
    /// `ndjson`, `csv` or `table`.
    public var format = "ndjson"
    public var timeField = "@timestamp"
    /// Objects fetched and scanned at once (0 = two per core).
    public var parallelism = 0
    public var summary = true

    public init() {}
}
