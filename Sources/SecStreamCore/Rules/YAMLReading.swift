import Yams

/// Reads one YAML document of a rule file, keeping every node's line so each
/// problem is reported as `file:line: problem`.
struct YAMLReader {
    let file: String
    /// Blamed when a node carries no mark (Yams gives marks to parsed nodes; this
    /// is the document's first line).
    let fallbackLine: Int

    func line(_ node: Node?) -> Int { node?.mark?.line ?? fallbackLine }

    /// One YAML document's root, every plain scalar left a string (Yams's
    /// `basic` resolver), as the rule files are read: values are typed the
    /// Sigma way by `SigmaScalar`, from the scalar's style. Yams's default
    /// resolver ran a regular expression per scalar, most of a run's start-up
    /// (the built-in ecs pipeline: 125 of 316 M instructions).
    static func compose(_ text: String) throws -> Node? {
        try Parser(yaml: text, resolver: .basic, encoding: .utf8).singleRoot()
    }

    func location(_ node: Node?) -> RuleLocation { RuleLocation(file: file, line: line(node)) }

    func error(_ node: Node?, _ problem: String) -> RuleError { RuleError(location(node), problem) }

    /// Valid Sigma that secstream does not evaluate: the rule is skipped, not fatal.
    func unsupported(_ node: Node?, _ problem: String) -> RuleError {
        RuleError(location(node), problem, unsupported: true)
    }

    func mapping(_ node: Node, _ what: String) throws -> Node.Mapping {
        guard case .mapping(let m) = node else { throw error(node, "\(what) must be a map") }
        return m
    }

    /// A scalar as text (numbers and booleans as written).
    func string(_ node: Node, _ what: String) throws -> String {
        guard case .scalar(let s) = node else { throw error(node, "\(what) must be a single value") }
        return s.string
    }

    /// A scalar or a list of scalars.
    func stringList(_ node: Node, _ what: String) throws -> [String] {
        switch node {
        case .scalar(let s): return [s.string]
        case .sequence(let seq): return try seq.map { try string($0, what) }
        default: throw error(node, "\(what) must be a value or a list of values")
        }
    }

    /// A scalar naming one case of `E` (its raw value), `fallback` when the
    /// node is absent; anything else is "unknown WHAT 'text' (expected a, b
    /// or c)", the cases in declaration order.
    func choice<E: RawRepresentable & CaseIterable>(_ node: Node?, _ key: String, _ what: String,
                                                     default fallback: E) throws -> E where E.RawValue == String {
        guard let node else { return fallback }
        let text = try string(node, "'\(key)'")
        guard let value = E(rawValue: text) else {
            let names = E.allCases.map(\.rawValue)
            let expected = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
            throw error(node, "unknown \(what) '\(text)' (expected \(expected))")
        }
        return value
    }

    /// The key of a map entry, which Sigma always writes as a plain name.
    func key(_ node: Node) throws -> String {
        guard case .scalar(let s) = node else { throw error(node, "map keys must be plain names") }
        return s.string
    }
}

/// A YAML scalar typed by the YAML 1.2 core schema, the way Sigma tools read
/// values: quoted scalars are always strings; hexadecimal and octal stay strings
/// because Sigma values such as `0x17` are compared as text.
enum SigmaScalar: Equatable {
    case string(String)
    /// A decimal number; `text` is kept as written for string modifiers (`|contains: 42`).
    case number(Double, text: String)
    case bool(Bool)
    case null

    init(_ scalar: Node.Scalar) {
        let text = scalar.string
        guard scalar.style == .plain || scalar.style == .any else { self = .string(text); return }
        switch text {
        case "", "~", "null", "Null", "NULL": self = .null
        case "true", "True", "TRUE": self = .bool(true)
        case "false", "False", "FALSE": self = .bool(false)
        default:
            if SigmaScalar.isDecimalNumber(text), let d = Double(text) {
                self = .number(d, text: text)
            } else {
                self = .string(text)
            }
        }
    }

    /// `[-+]?digits[.digits][e[-+]digits]` (or `.digits`): the YAML 1.2 decimal forms.
    static func isDecimalNumber(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let f = bytes.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        var digits = 0
        while let b = bytes.first, b >= 48 && b <= 57 { digits += 1; bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            while let b = bytes.first, b >= 48 && b <= 57 { digits += 1; bytes = bytes.dropFirst() }
        }
        guard digits > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let s = bytes.first, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            var expDigits = 0
            while let b = bytes.first, b >= 48 && b <= 57 { expDigits += 1; bytes = bytes.dropFirst() }
            if expDigits == 0 { return false }
        }
        return bytes.isEmpty
    }

    /// The value as the text a string comparison uses.
    var text: String? {
        switch self {
        case .string(let s): return s
        case .number(_, let t): return t
        case .bool(let b): return b ? "true" : "false"
        case .null: return nil
        }
    }
}

/// A map's values by key text, built once: `Node.Mapping`'s string subscript
/// builds a node per lookup and compares it with every key in turn, and a
/// rule document's top level is asked a dozen times. Holds what that
/// subscript finds: plain-string keys (tag `str`), the last of equal keys.
struct KeyedMap {
    private var values: [String: Node] = [:]

    init(_ mapping: Node.Mapping) {
        for (k, v) in mapping {
            if case .scalar(let s) = k, k.tag.rawValue == Tag.Name.str.rawValue { values[s.string] = v }
        }
    }

    subscript(key: String) -> Node? { values[key] }
}
