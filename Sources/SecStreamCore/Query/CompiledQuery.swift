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
    /// One node of the expression tree, in a flat array: `test` indexes
    /// `tests`, the others index `nodes`. Plain values throughout, so walking
    /// the tree per event retains and releases nothing.
    struct Node {
        enum Op: UInt8 { case test, and, or, not }
        let op: Op
        let a: Int32
        let b: Int32
    }

    struct Literal {
        enum Kind: UInt8 { case string, number, trueValue, falseValue, null }
        let kind: Kind
        let bytes: UnsafeBufferPointer<UInt8>
        let number: Double
        /// The instant a string (or, for the time field, a number) literal names.
        let time: Int64?
    }

    struct Test {
        enum Kind: UInt8 { case compare, oneOf, cidr, contains, startsWith, endsWith, matches, exists }
        let field: FieldID
        /// The field is the event time field: compare as instants.
        let isTimeField: Bool
        let kind: Kind
        let op: QueryComparison
        /// One literal for `compare`, the list for `oneOf`.
        let literals: UnsafeBufferPointer<Literal>
        /// The needle of `contains`, `startsWith`, `endsWith`.
        let bytes: UnsafeBufferPointer<UInt8>
        let cidr: CIDRBlock?
        /// RE2 (linear time in the value, as for rules' `|re`); kept alive by `CompiledQuery.regexes`.
        let regex: SigmaRegex?
    }

    let nodes: UnsafeBufferPointer<Node>
    let root: Int32
    let tests: UnsafeBufferPointer<Test>
    public let expression: QueryExpression
    private let regexes: MatcherArena
    private var byteBuffers: [UnsafeMutableBufferPointer<UInt8>] = []
    private var literalBuffers: [UnsafeMutableBufferPointer<Literal>] = []

    /// Interns every field of `expression` into `schema` (the caller scans
    /// lines with a `FieldScanner` built from the same schema afterwards).
    /// Throws a `QueryError` for a regex or time literal that does not compile.
    public init(_ expression: QueryExpression, schema: FieldSchema, timeField: String) throws {
        self.expression = expression
        var nodes: [Node] = []
        var tests: [Test] = []
        var byteBuffers: [UnsafeMutableBufferPointer<UInt8>] = []
        var literalBuffers: [UnsafeMutableBufferPointer<Literal>] = []
        let regexes = MatcherArena()
        func store(_ bytes: [UInt8]) -> UnsafeBufferPointer<UInt8> {
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
            _ = buffer.initialize(from: bytes)
            byteBuffers.append(buffer)
            return UnsafeBufferPointer(rebasing: buffer[0..<bytes.count])
        }
        func literal(_ v: QueryValue, timeField isTime: Bool) throws -> Literal {
            switch v {
            case .string(let s):
                let time = isTime ? EventTime.parseCLITime(s) : (s.utf8.count >= 19 ? EventTime.parse(s) : nil)
                if isTime && time == nil {
                    throw QueryError(column: 1, "\"\(s)\" is not a time for the time field '\(timeField)' (RFC 3339, a date, or epoch milliseconds)")
                }
                return Literal(kind: .string, bytes: store(Array(s.utf8)), number: 0, time: time)
            case .number(let d):
                // Epoch milliseconds, floored, within what event times can be
                // (EventTime's bound): 4e36 is no time, and must not trap.
                var time: Int64?
                if isTime {
                    guard d.isFinite, d > -9.2e18, d < 9.2e18 else {
                        throw QueryError(column: 1, "\(d) is out of range for the time field '\(timeField)' (epoch milliseconds)")
                    }
                    time = Int64(d.rounded(.down))
                }
                return Literal(kind: .number, bytes: store([]), number: d, time: time)
            case .bool(let b): return Literal(kind: b ? .trueValue : .falseValue, bytes: store([]), number: 0, time: nil)
            case .null: return Literal(kind: .null, bytes: store([]), number: 0, time: nil)
            }
        }
        func compileLiterals(_ values: [QueryValue], timeField isTime: Bool) throws -> UnsafeBufferPointer<Literal> {
            let compiled = try values.map { try literal($0, timeField: isTime) }
            let buffer = UnsafeMutableBufferPointer<Literal>.allocate(capacity: compiled.count)
            _ = buffer.initialize(from: compiled)
            literalBuffers.append(buffer)
            return UnsafeBufferPointer(buffer)
        }
        func add(_ node: Node) -> Int32 {
            nodes.append(node)
            return Int32(nodes.count - 1)
        }
        func test(_ field: String, _ kind: Test.Kind, op: QueryComparison = .equal, values: [QueryValue] = [],
                  bytes: [UInt8] = [], cidr: CIDRBlock? = nil, regex: SigmaRegex? = nil) throws -> Int32 {
            let isTime = field == timeField
            tests.append(Test(field: schema.intern(field), isTimeField: isTime, kind: kind, op: op,
                              literals: try compileLiterals(values, timeField: isTime),
                              bytes: store(bytes), cidr: cidr, regex: regex))
            return add(Node(op: .test, a: Int32(tests.count - 1), b: 0))
        }
        func build(_ e: QueryExpression) throws -> Int32 {
            switch e {
            case .and(let x, let y): return add(Node(op: .and, a: try build(x), b: try build(y)))
            case .or(let x, let y): return add(Node(op: .or, a: try build(x), b: try build(y)))
            case .not(let x): return add(Node(op: .not, a: try build(x), b: 0))
            case .compare(let f, let op, let v): return try test(f, .compare, op: op, values: [v])
            case .oneOf(let f, let vs): return try test(f, .oneOf, values: vs)
            case .inCIDR(let f, let text):
                guard let block = CIDRBlock(text) else { throw QueryError(column: 1, "'\(text)' is not a CIDR block") }
                return try test(f, .cidr, cidr: block)
            case .contains(let f, let s): return try test(f, .contains, bytes: Array(s.utf8))
            case .startsWith(let f, let s): return try test(f, .startsWith, bytes: Array(s.utf8))
            case .endsWith(let f, let s): return try test(f, .endsWith, bytes: Array(s.utf8))
            case .matches(let f, let pattern):
                switch SigmaRegex.compile(pattern, flags: [], arena: regexes) {
                case .regex(let regex): return try test(f, .matches, regex: regex)
                case .unsupported(let feature):
                    throw QueryError(column: 1, "regex \"\(pattern)\" for '\(f)' uses \(feature)")
                case .invalid(let message): throw QueryError(column: 1, "bad regex \"\(pattern)\" for '\(f)': \(message)")
                }
            case .exists(let f): return try test(f, .exists)
            }
        }
        let root: Int32
        do {
            root = try build(expression)
        } catch {
            byteBuffers.forEach { $0.deallocate() }
            literalBuffers.forEach { $0.deallocate() }
            throw error
        }
        self.root = root
        let nodeBuffer = UnsafeMutableBufferPointer<Node>.allocate(capacity: nodes.count)
        _ = nodeBuffer.initialize(from: nodes)
        self.nodes = UnsafeBufferPointer(nodeBuffer)
        let testBuffer = UnsafeMutableBufferPointer<Test>.allocate(capacity: max(1, tests.count))
        _ = testBuffer.initialize(from: tests)
        self.tests = UnsafeBufferPointer(rebasing: testBuffer[0..<tests.count])
        self.byteBuffers = byteBuffers
        self.literalBuffers = literalBuffers
        self.regexes = regexes
    }

    deinit {
        UnsafeMutableBufferPointer(mutating: nodes).deallocate()
        UnsafeMutableBufferPointer(mutating: UnsafeBufferPointer(start: tests.baseAddress, count: max(1, tests.count))).deallocate()
        byteBuffers.forEach { $0.deallocate() }
        literalBuffers.forEach { $0.deallocate() }
    }

    /// Parses and compiles `text` in one step.
    public convenience init(parsing text: String, schema: FieldSchema, timeField: String) throws {
        try self.init(QueryParser.parse(text), schema: schema, timeField: timeField)
    }
}
