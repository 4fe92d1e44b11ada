import Foundation
import SecStreamCore

/// The validated form of `QueryOptions`: the time range, the compiled filter,
/// and the schema of every field the query reads (time field first), so each
/// line is scanned once for exactly those fields.
struct QueryPlan {
    let schema: FieldSchema
    let timeField: FieldID
    let from: Int64?
    let to: Int64?
    let filter: CompiledQuery?
    let select: [FieldID]
    let countBy: [FieldID]
    let limit: Int?
    let format: QueryFormat

    init(_ o: QueryOptions) throws {
        try o.validate()
        let schema = FieldSchema()
        self.schema = schema
        timeField = schema.intern(o.timeField)
        let from = o.from?.milliseconds
        let to = o.to?.milliseconds
        if let from, let to, from >= to { throw RunError(.usage, "--from must be before --to (the range is [from, to))") }
        self.from = from
        self.to = to
        format = o.format
        do {
            filter = try o.whereExpression.map { try CompiledQuery(parsing: $0, schema: schema, timeField: o.timeField) }
        } catch let error as QueryError {
            throw RunError(.usage, error.description)
        }
        let select = (o.select?.names ?? []).map { schema.intern($0) }
        let countBy = (o.countBy?.names ?? []).map { schema.intern($0) }
        if !select.isEmpty && !countBy.isEmpty { throw RunError(.usage, "--select and --count-by are exclusive") }
        if format != .ndjson && select.isEmpty && countBy.isEmpty {
            throw RunError(.usage, "--format \(format.rawValue) needs --select or --count-by (ndjson prints whole events)")
        }
        self.select = select
        self.countBy = countBy
        limit = o.limit
    }

    var countByNames: [String] { countBy.map { schema.paths[$0] } }
    var selectNames: [String] { select.map { schema.paths[$0] } }
}
