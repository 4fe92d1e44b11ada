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
        let schema = FieldSchema()
        self.schema = schema
        timeField = schema.intern(o.timeField)
        let from = try o.from.map { try OptionParsing.time($0, flag: "--from") }
        let to = try o.to.map { try OptionParsing.time($0, flag: "--to") }
        if let from, let to, from >= to { throw RunError(.usage, "--from must be before --to (the range is [from, to))") }
        self.from = from
        self.to = to
        guard let format = QueryFormat(rawValue: o.format.lowercased()) else {
            throw RunError(.usage, "--format: '\(o.format)' is not ndjson, csv or table")
        }
        self.format = format
        do {
            filter = try o.whereExpression.map { try CompiledQuery(parsing: $0, schema: schema, timeField: o.timeField) }
        } catch let error as QueryError {
            throw RunError(.usage, error.description)
        }
        let select = try Self.fields(o.select, flag: "--select", schema: schema)
        let countBy = try Self.fields(o.countBy, flag: "--count-by", schema: schema)
        if !select.isEmpty && !countBy.isEmpty { throw RunError(.usage, "--select and --count-by are exclusive") }
        if format != .ndjson && select.isEmpty && countBy.isEmpty {
            throw RunError(.usage, "--format \(format.rawValue) needs --select or --count-by (ndjson prints whole events)")
        }
        if let limit = o.limit, limit < 0 { throw RunError(.usage, "--limit must be 0 or more") }
        self.select = select
        self.countBy = countBy
        limit = o.limit
    }

    private static func fields(_ text: String?, flag: String, schema: FieldSchema) throws -> [FieldID] {
        guard let text else { return [] }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.contains(where: \.isEmpty) else {
            throw RunError(.usage, "\(flag): '\(text)' is not a comma-separated list of fields")
        }
        return names.map { schema.intern($0) }
    }

    var countByNames: [String] { countBy.map { schema.paths[$0] } }
    var selectNames: [String] { select.map { schema.paths[$0] } }
}
