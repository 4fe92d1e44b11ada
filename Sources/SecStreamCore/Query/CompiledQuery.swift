import Foundation

/// A `--where` expression bound to a `FieldSchema`: field names became ids,
/// literals became bytes, numbers, epoch milliseconds, CIDR masks and
/// compiled regexes, once per run. Evaluation (`QueryEvaluator`) then works on
/// the raw bytes of a scanned line.
///
/// Semantics (documented in secstream-query(1)):
/// - a missing field makes every test false except `!=`, which is true;
/// - the time field, and any string field compared with a literal that parses
///   as RFC 3339, compare as instants (`"2026-11-20T14:00:00+01:00"` equals
///   `"2026-11-20T13:00:00Z"`); the time field also accepts a date or epoch ms;
/// - a number literal compares numerically with numbers and numeric strings;
/// - a string literal compares bytewise (UTF-8 order) with strings;
/// - booleans order `false < true`; `null` only equals `null`;
/// - values of different types are unequal and unordered;
/// - an array value satisfies a test when one of its elements does
///   (and `!=` when none of them is equal), as Sigma treats arrays.
public final class CompiledQuery: @unchecked Sendable {
    indirect enum Node {
        case and(Node, Node)
        case or(Node, Node)
        case not(Node)
        case test(Int)
    }

    struct Literal {
        enum Kind { case string, number, trueValue, falseValue, null }
        let kind: Kind
        let bytes: [UInt8]
        let number: Double
        /// The instant a string (or, for the time field, a number) literal names.
        let time: Int64?
    }

    enum TestKind {
        case compare(QueryComparison, Literal)
        case oneOf([Literal])
        case cidr(CIDRBlock)
        case contains([UInt8])
        case startsWith([UInt8])
        case endsWith([UInt8])
        case matches(NSRegularExpression)
        case exists
    }

    struct Test {
        let field: FieldID
        /// The field is the event time field: compare as instants.
        let isTimeField: Bool
        let kind: TestKind
    }

    let root: Node
    let tests: [Test]
    public let expression: QueryExpression

    /// Interns every field of `expression` into `schema` (the caller scans
    /// lines with a `FieldScanner` built from the same schema afterwards).
    /// Throws a `QueryError` for a regex or time literal that does not compile.
    public init(_ expression: QueryExpression, schema: FieldSchema, timeField: String) throws {
        self.expression = expression
        var tests: [Test] = []
        func literal(_ v: QueryValue, timeField isTime: Bool) throws -> Literal {
            switch v {
            case .string(let s):
                let time = isTime ? EventTime.parseCLITime(s) : (s.utf8.count >= 19 ? EventTime.parse(s) : nil)
                if isTime && time == nil {
                    throw QueryError(column: 1, "\"\(s)\" is not a time for the time field '\(timeField)' (RFC 3339, a date, or epoch milliseconds)")
                }
                return Literal(kind: .string, bytes: Array(s.utf8), number: 0, time: time)
            case .number(let d):
                return Literal(kind: .number, bytes: [], number: d, time: isTime ? Int64(d.rounded(.down)) : nil)
            case .bool(let b): return Literal(kind: b ? .trueValue : .falseValue, bytes: [], number: 0, time: nil)
            case .null: return Literal(kind: .null, bytes: [], number: 0, time: nil)
            }
        }
        func build(_ e: QueryExpression) throws -> Node {
            func add(_ field: String, _ kind: TestKind) -> Node {
                tests.append(Test(field: schema.intern(field), isTimeField: field == timeField, kind: kind))
                return .test(tests.count - 1)
            }
            switch e {
            case .and(let a, let b): return .and(try build(a), try build(b))
            case .or(let a, let b): return .or(try build(a), try build(b))
            case .not(let a): return .not(try build(a))
            case .compare(let f, let op, let v): return add(f, .compare(op, try literal(v, timeField: f == timeField)))
            case .oneOf(let f, let vs): return add(f, .oneOf(try vs.map { try literal($0, timeField: f == timeField) }))
            case .inCIDR(let f, let text):
                guard let block = CIDRBlock(text) else { throw QueryError(column: 1, "'\(text)' is not a CIDR block") }
                return add(f, .cidr(block))
            case .contains(let f, let s): return add(f, .contains(Array(s.utf8)))
            case .startsWith(let f, let s): return add(f, .startsWith(Array(s.utf8)))
            case .endsWith(let f, let s): return add(f, .endsWith(Array(s.utf8)))
            case .matches(let f, let pattern):
                do { return add(f, .matches(try NSRegularExpression(pattern: pattern))) } catch {
                    throw QueryError(column: 1, "bad regex \"\(pattern)\" for '\(f)': \(error.localizedDescription)")
                }
            case .exists(let f): return add(f, .exists)
            }
        }
        root = try build(expression)
        self.tests = tests
    }

    /// Parses and compiles `text` in one step.
    public convenience init(parsing text: String, schema: FieldSchema, timeField: String) throws {
        try self.init(QueryParser.parse(text), schema: schema, timeField: timeField)
    }
}
