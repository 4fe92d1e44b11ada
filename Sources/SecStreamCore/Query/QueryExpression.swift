/// The parsed form of a `--where` expression, before it is bound to a field
/// schema. Field names stay strings here; `CompiledQuery` turns them into ids.
public indirect enum QueryExpression: Equatable, CustomStringConvertible {
    case and(QueryExpression, QueryExpression)
    case or(QueryExpression, QueryExpression)
    case not(QueryExpression)
    case compare(field: String, QueryComparison, QueryValue)
    case oneOf(field: String, [QueryValue])
    case inCIDR(field: String, String)
    case contains(field: String, String)
    case startsWith(field: String, String)
    case endsWith(field: String, String)
    case matches(field: String, String)
    case exists(field: String)

    /// Every field the expression reads, in first-use order.
    public var fields: [String] {
        var out: [String] = []
        func visit(_ e: QueryExpression) {
            switch e {
            case .and(let a, let b), .or(let a, let b): visit(a); visit(b)
            case .not(let a): visit(a)
            case .compare(let f, _, _), .oneOf(let f, _), .inCIDR(let f, _), .contains(let f, _),
                 .startsWith(let f, _), .endsWith(let f, _), .matches(let f, _), .exists(let f):
                if !out.contains(f) { out.append(f) }
            }
        }
        visit(self)
        return out
    }

    /// A fully parenthesised rendering, for tests and messages.
    public var description: String {
        switch self {
        case .and(let a, let b): return "(\(a) and \(b))"
        case .or(let a, let b): return "(\(a) or \(b))"
        case .not(let a): return "(not \(a))"
        case .compare(let f, let op, let v): return "\(f) \(op.rawValue) \(v)"
        case .oneOf(let f, let vs): return "\(f) in [\(vs.map(\.description).joined(separator: ", "))]"
        case .inCIDR(let f, let c): return "\(f) in \(c)"
        case .contains(let f, let s): return "\(f) contains \(QueryValue.string(s))"
        case .startsWith(let f, let s): return "\(f) startswith \(QueryValue.string(s))"
        case .endsWith(let f, let s): return "\(f) endswith \(QueryValue.string(s))"
        case .matches(let f, let s): return "\(f) matches \(QueryValue.string(s))"
        case .exists(let f): return "exists \(f)"
        }
    }
}

/// A literal on the right of a comparison.
public enum QueryValue: Equatable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public var description: String {
        switch self {
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }
}
