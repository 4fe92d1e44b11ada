import Foundation
import Yams

/// Compiles a rule's `detection:` section (selections and condition) into a
/// `DetectionMatcher`, interning every field it reads into the schema.
struct DetectionCompiler {
    let reader: YAMLReader
    let schema: FieldSchema
    let fieldMap: FieldMap
    /// The processing pipelines as they apply to this rule (field names,
    /// dropped items, failures, placeholder values); nil: fields as written.
    var pipelines: PipelineApplication? = nil
    /// Only pipeline items after this position transform the fields (an
    /// `add_condition`'s fields are seen by the items after it, as in pySigma).
    var transformAfter = -1
    /// Receives every buffer of the compiled tree; the matcher keeps it.
    var arena = MatcherArena()

    /// `skipping`: keys that are not selections (a filter's `rules`).
    func compile(_ detection: Node, skipping: Set<String> = []) throws -> DetectionMatcher {
        let map = try reader.mapping(detection, "'detection'")
        var selections: [(name: String, node: MatchNode)] = []
        var conditionNode: Node?
        for (k, v) in map {
            let name = try reader.key(k)
            if skipping.contains(name) { continue }
            switch name {
            case "condition": conditionNode = v
            case "timeframe":
                throw reader.error(k, "'timeframe' is not supported: write a correlation rule with 'timespan'")
            default: selections.append((name, try compileSelection(v, name: name)))
            }
        }
        guard let condition = conditionNode else { throw reader.error(detection, "detection has no 'condition'") }
        let texts = try reader.stringList(condition, "'condition'")
        guard !texts.isEmpty else { throw reader.error(condition, "'condition' is empty") }
        // A list of conditions is their OR (Sigma spec).
        var roots: [MatchNode] = []
        for text in texts {
            if text.contains("|") {
                throw reader.error(condition, "Sigma v1 aggregations ('| count() ...') are not supported: write a correlation rule")
            }
            let expression: ConditionExpression
            do { expression = try ConditionParser.parse(text) } catch let e as ConditionParser.SyntaxError {
                throw reader.error(condition, "bad condition '\(text)': \(e.message)")
            }
            roots.append(try bind(expression, selections, conditionNode: condition))
        }
        return DetectionMatcher(root: MatchNode.any(roots, arena: arena), arena: arena)
    }

    /// A pipeline's `add_condition` map, compiled like a selection of the rule.
    func compileCondition(_ node: Node) throws -> MatchNode {
        try compileSelection(node, name: "add_condition")
    }

    /// The event fields each key of an `add_condition` map ends up as (part of a route's identity).
    func mappedFieldsKey(_ node: Node) throws -> String {
        guard case .mapping(let m) = node else { return "" }
        var parts: [String] = []
        for (k, _) in m {
            let key = try reader.key(k)
            let field = String(key.split(separator: "|", omittingEmptySubsequences: false)[0])
            parts.append((try transformedFields(field, values: [], at: k) ?? []).joined(separator: ","))
        }
        return parts.joined(separator: ";")
    }

    // MARK: - Condition

    private func bind(_ e: ConditionExpression, _ selections: [(name: String, node: MatchNode)],
                      conditionNode: Node) throws -> MatchNode {
        switch e {
        case .selection(let name):
            guard let s = selections.first(where: { $0.name == name }) else {
                throw reader.error(conditionNode, "condition names '\(name)', which is not a selection of this rule")
            }
            return s.node
        case .quantified(let all, let pattern):
            let chosen: [MatchNode]
            if let pattern {
                let glob = StringPattern(SigmaString(parsing: pattern), caseSensitive: true, arena: arena)
                chosen = selections.filter { s in
                    var name = s.name
                    return name.withUTF8 { glob.matches(UnsafeRawBufferPointer($0)) }
                }.map(\.node)
                guard !chosen.isEmpty else {
                    throw reader.error(conditionNode, "'\(all ? "all" : "1") of \(pattern)' matches no selection")
                }
            } else {
                // `them` leaves out identifiers starting with `_` (Sigma convention).
                chosen = selections.filter { !$0.name.hasPrefix("_") }.map(\.node)
                guard !chosen.isEmpty else { throw reader.error(conditionNode, "'of them' but the rule has no selection") }
            }
            return all ? MatchNode.all(chosen, arena: arena) : MatchNode.any(chosen, arena: arena)
        case .and(let a, let b):
            return MatchNode.all([try bind(a, selections, conditionNode: conditionNode),
                                  try bind(b, selections, conditionNode: conditionNode)], arena: arena)
        case .or(let a, let b):
            return MatchNode.any([try bind(a, selections, conditionNode: conditionNode),
                                  try bind(b, selections, conditionNode: conditionNode)], arena: arena)
        case .not(let inner):
            return MatchNode.negation(try bind(inner, selections, conditionNode: conditionNode), arena: arena)
        }
    }

    // MARK: - Selections

    /// A map is the AND of its fields; a list of maps is their OR; a list of plain
    /// values (or one value) is a keyword search.
    private func compileSelection(_ node: Node, name: String) throws -> MatchNode {
        switch node {
        case .mapping(let m):
            guard !m.isEmpty else { throw reader.error(node, "selection '\(name)' is empty") }
            // A pipeline may drop every item: an empty AND holds (pySigma keeps the rest of the rule).
            let entries = try m.compactMap { try compileEntry(key: $0.key, value: $0.value) }
            return entries.isEmpty ? .constant(true) : MatchNode.all(entries, arena: arena)
        case .sequence(let seq):
            guard !seq.isEmpty else { throw reader.error(node, "selection '\(name)' is empty") }
            let maps = seq.filter { if case .mapping = $0 { return true }; return false }
            if maps.count == seq.count {
                return MatchNode.any(try maps.map { try compileSelection($0, name: name) }, arena: arena)
            }
            guard maps.isEmpty else {
                throw reader.error(node, "selection '\(name)' mixes maps and plain values")
            }
            return try keywordNode(seq.map { $0 }, modifiers: [], at: node) ?? .constant(true)
        case .scalar:
            return try keywordNode([node], modifiers: [], at: node) ?? .constant(true)
        case .alias:
            throw reader.error(node, "selection '\(name)' is an unresolved YAML alias")
        }
    }

    /// Nil when a pipeline dropped the item.
    private func compileEntry(key: Node, value: Node) throws -> MatchNode? {
        let keyText = try reader.key(key)
        var parts = keyText.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let field = parts.removeFirst()
        var modifiers: [SigmaModifier] = []
        var expand = false, fieldref = false
        for p in parts {
            if let m = SigmaModifier(rawValue: p) {
                modifiers.append(m)
            } else if p == "expand" {
                expand = true
            } else if p == "fieldref" {
                fieldref = true
            } else if SigmaModifier.unsupported.contains(p) {
                throw reader.unsupported(key, "modifier '\(p)' is not supported")
            } else {
                throw reader.error(key, "unknown modifier '\(p)'")
            }
        }
        let values: [Node]
        switch value {
        case .scalar: values = [value]
        case .sequence(let seq):
            guard !seq.isEmpty else { throw reader.error(value, "'\(keyText)' has no values") }
            for v in seq { guard case .scalar = v else { throw reader.error(v, "values of '\(keyText)' must be plain values") } }
            values = seq.map { $0 }
        default:
            throw reader.error(value, "'\(keyText)' must have a value or a list of values")
        }
        let expanded = expand ? try expandPlaceholders(values, at: key) : values.map { (scalar($0), $0) }
        if field.isEmpty {
            if fieldref { throw reader.error(key, "'fieldref' needs a field") }
            return try keywordNode(values, modifiers: modifiers, at: key)
        }
        guard let fields = try transformedFields(field, values: expanded.map(\.value), at: key) else { return nil }
        if fieldref {
            return try compileFieldReference(fields: fields, modifiers: modifiers, values: values, key: key)
        }
        return .field(arena.store([try compileFieldTest(fields: fields, modifiers: modifiers, values: expanded,
                                                        key: key)]).baseAddress!)
    }

    /// The event fields a Sigma field stands for after the pipelines (nil:
    /// dropped), then the `--field-map`, which applies last.
    private func transformedFields(_ field: String, values: [SigmaScalar], at key: Node) throws -> [String]? {
        var fields = [field]
        if let pipelines {
            let item = PipelineApplication.Item(fields: [field], values: values.compactMap(\.text))
            guard let out = try pipelines.transform(item, after: transformAfter, at: reader.location(key)) else { return nil }
            fields = out.fields
        }
        var seen = Set<String>()
        return fields.flatMap { fieldMap.eventFields(for: $0) }.filter { seen.insert($0).inserted }
    }

    /// A keyword search node; nil when a pipeline dropped it.
    private func keywordNode(_ values: [Node], modifiers: [SigmaModifier], at node: Node) throws -> MatchNode? {
        if let pipelines {
            let texts = values.compactMap { scalar($0).text }
            guard try pipelines.transform(.init(fields: [], values: texts), after: transformAfter,
                                          at: reader.location(node)) != nil else { return nil }
        }
        return .keywords(arena.store([try compileKeywords(values, modifiers: modifiers, at: node)]).baseAddress!)
    }

    /// `|expand`: each `%name%` in a value stands for every value of the
    /// placeholder (`--placeholders`, a pipeline's `vars`); a placeholder
    /// without values makes the rule unsupported here, not wrong.
    private func expandPlaceholders(_ values: [Node], at key: Node) throws -> [(value: SigmaScalar, node: Node)] {
        var out: [(value: SigmaScalar, node: Node)] = []
        for v in values {
            guard let text = scalar(v).text else { out.append((.null, v)); continue }
            var variants = [""]
            var rest = Substring(text)
            while let open = rest.firstIndex(of: "%"),
                  let close = rest[rest.index(after: open)...].firstIndex(of: "%") {
                let name = String(rest[rest.index(after: open)..<close])
                let prefix = rest[..<open]
                guard !name.isEmpty else {
                    variants = variants.map { $0 + prefix + "%%" }
                    rest = rest[rest.index(after: close)...]
                    continue
                }
                guard let replacements = pipelines?.placeholders[name], !replacements.isEmpty else {
                    throw RuleError(reader.location(key), "placeholder '%\(name)%' has no values (give --placeholders FILE or a pipeline's 'vars')",
                                    needsPlaceholderValues: true)
                }
                variants = variants.flatMap { v in replacements.map { v + prefix + $0 } }
                rest = rest[rest.index(after: close)...]
            }
            out += variants.map { (.string($0 + rest), v) }
        }
        return out
    }

    /// `field|fieldref: other`: the value equals another field's value in the same event.
    private func compileFieldReference(fields: [String], modifiers: [SigmaModifier], values: [Node],
                                       key: Node) throws -> MatchNode {
        guard modifiers.isEmpty else {
            throw reader.unsupported(key, "'fieldref' with other modifiers is not supported")
        }
        var tests: [MatchNode] = []
        for v in values {
            guard let other = scalar(v).text,
                  let otherFields = try transformedFields(other, values: [], at: v) else {
                throw reader.error(v, "'fieldref' needs a field name")
            }
            let test = FieldPairTest(left: FieldRef(fields.map { schema.intern($0) }),
                                     right: FieldRef(otherFields.map { schema.intern($0) }), arena: arena)
            tests.append(.fieldPair(arena.store([test]).baseAddress!))
        }
        return MatchNode.any(tests, arena: arena)
    }

    private func scalar(_ node: Node) -> SigmaScalar {
        guard case .scalar(let s) = node else { return .null }
        return SigmaScalar(s)
    }

    private func compileKeywords(_ values: [Node], modifiers: [SigmaModifier], at node: Node) throws -> KeywordTest {
        for m in modifiers where m != .all && m != .cased {
            throw reader.error(node, "keyword search takes only the 'all' and 'cased' modifiers, not '\(m.rawValue)'")
        }
        let cased = modifiers.contains(.cased)
        let patterns = try values.map { v -> StringPattern in
            guard let text = scalar(v).text else { throw reader.error(v, "a keyword cannot be null") }
            let jsonEscaped = SigmaString(parsing: text).mappingBytes(DetectionCompiler.jsonEscape)
            return StringPattern(jsonEscaped.wrapped(leading: true, trailing: true), caseSensitive: cased, arena: arena)
        }
        return KeywordTest(patterns: arena.store(patterns), requireAll: modifiers.contains(.all))
    }

    /// A byte as it appears inside a JSON string in the raw line.
    private static func jsonEscape(_ b: UInt8) -> [UInt8] {
        switch b {
        case UInt8(ascii: "\\"): return [0x5C, 0x5C]
        case UInt8(ascii: "\""): return [0x5C, 0x22]
        case 0x0A: return [0x5C, UInt8(ascii: "n")]
        case 0x09: return [0x5C, UInt8(ascii: "t")]
        case 0x0D: return [0x5C, UInt8(ascii: "r")]
        default: return [b]
        }
    }

    // MARK: - Field tests

    private func compileFieldTest(fields: [String], modifiers: [SigmaModifier], values: [(value: SigmaScalar, node: Node)],
                                  key: Node) throws -> FieldTest {
        let ref = FieldRef(fields.map { schema.intern($0) })
        let set = Set(modifiers)
        func conflict(_ a: SigmaModifier, _ others: Set<SigmaModifier>) throws {
            if set.contains(a), let b = others.intersection(set).first {
                throw reader.error(key, "modifier '\(a.rawValue)' cannot be combined with '\(b.rawValue)'")
            }
        }
        let comparisons = ModifierConflicts.comparisons
        // Most entries carry no modifier or one: nothing can conflict.
        if set.count > 1 {
            for m in [SigmaModifier.i, .m, .s] where set.contains(m) && !set.contains(.re) {
                throw reader.error(key, "modifier '\(m.rawValue)' applies only to 're'")
            }
            try conflict(.exists, set.subtracting([.exists]))
            for (modifier, excluded) in ModifierConflicts.pairs { try conflict(modifier, excluded) }
        } else if let only = set.first, [SigmaModifier.i, .m, .s].contains(only) {
            throw reader.error(key, "modifier '\(only.rawValue)' applies only to 're'")
        }

        if set.contains(.exists) {
            guard values.count == 1, case .bool(let wanted) = values[0].value else {
                throw reader.error(key, "'exists' takes true or false")
            }
            return FieldTest(field: ref, tests: [], combine: .any, exists: wanted, arena: arena)
        }
        let combine: FieldTest.Combine = set.contains(.all) ? .all : set.contains(.neq) ? .none : .any
        var tests: [ValueTest] = []
        for (value, v) in values {
            if value == .null {
                guard !set.contains(.re) && !set.contains(.cidr) && comparisons.intersection(set).isEmpty else {
                    throw reader.error(v, "null cannot be compared with '\(modifiers.last!.rawValue)'")
                }
                tests.append(.null)
                continue
            }
            if set.contains(.re) {
                tests.append(.regex(try compileRegex(value, flags: set, at: v)))
            } else if set.contains(.cidr) {
                guard let text = value.text, let block = CIDRBlock(text) else {
                    throw reader.error(v, "bad CIDR '\(value.text ?? "")'")
                }
                tests.append(.cidr(block))
            } else if let op = modifiers.first(where: comparisons.contains) {
                let bound: Double?
                switch value {
                case .number(let d, _): bound = d
                case .string(let s): bound = Double(s)
                default: bound = nil
                }
                guard let b = bound else { throw reader.error(v, "'\(op.rawValue)' needs a number, got '\(value.text ?? "")'") }
                let comparison: ValueTest.Comparison = op == .gt ? .gt : op == .gte ? .gte : op == .lt ? .lt : .lte
                tests.append(.compare(comparison, b))
            } else {
                tests += try compileStrings(value, modifiers: modifiers, at: v)
            }
        }
        return FieldTest(field: ref, tests: tests, combine: combine, arena: arena)
    }

    /// Plain values and string modifiers, applied in the order written.
    private func compileStrings(_ value: SigmaScalar, modifiers: [SigmaModifier], at node: Node) throws -> [ValueTest] {
        let shaping = modifiers.filter { $0.isEncoding || $0 == .windash || $0 == .contains || $0 == .startswith || $0 == .endswith }
        if shaping.isEmpty {
            switch value {
            case .number(let d, _): return [.numberEquals(d)]
            case .bool(let b): return [.bool(b)]
            default: break
            }
        }
        guard let text = value.text else { return [.null] }
        var strings: [SigmaString]
        if case .string = value { strings = [SigmaString(parsing: text)] } else { strings = [SigmaString(literal: Array(text.utf8))] }
        // Encoded values are binary-derived text (Base64 is case-significant).
        var caseSensitive = modifiers.contains(.cased)
        for m in shaping {
            switch m {
            case .contains: strings = strings.map { $0.wrapped(leading: true, trailing: true) }
            case .startswith: strings = strings.map { $0.wrapped(leading: false, trailing: true) }
            case .endswith: strings = strings.map { $0.wrapped(leading: true, trailing: false) }
            case .windash: strings = strings.flatMap(ValueTransform.windash)
            case .utf16le, .wide: strings = strings.map { ValueTransform.utf16($0, bigEndian: false, byteOrderMark: false) }
            case .utf16be: strings = strings.map { ValueTransform.utf16($0, bigEndian: true, byteOrderMark: false) }
            case .utf16: strings = strings.map { ValueTransform.utf16($0, bigEndian: false, byteOrderMark: true) }
            case .base64, .base64offset:
                caseSensitive = true
                strings = try strings.flatMap { s -> [SigmaString] in
                    guard let bytes = s.literalBytes else {
                        throw reader.error(node, "'\(m.rawValue)' cannot encode wildcards (put 'contains' after it)")
                    }
                    if m == .base64 { return [SigmaString(literal: ValueTransform.base64(bytes))] }
                    return ValueTransform.base64Offsets(bytes).map { SigmaString(literal: $0) }
                }
            default: break
            }
        }
        return strings.map { .string(StringPattern($0, caseSensitive: caseSensitive, arena: arena)) }
    }

    /// `|re` with the `i`, `m`, `s` sub-modifiers; case-sensitive by default (Sigma spec). RE2 runs
    /// it in time linear in the value; a construct RE2 cannot run (back-references, look-around,
    /// possessive quantifiers, atomic groups) makes the rule unsupported, a broken pattern is fatal.
    private func compileRegex(_ value: SigmaScalar, flags: Set<SigmaModifier>, at node: Node) throws -> SigmaRegex {
        guard let pattern = value.text else { throw reader.error(node, "'re' needs a pattern") }
        var options: SigmaRegex.Flags = []
        if flags.contains(.i) { options.insert(.caseInsensitive) }
        if flags.contains(.m) { options.insert(.multiLine) }
        if flags.contains(.s) { options.insert(.dotAll) }
        switch SigmaRegex.compile(pattern, flags: options, arena: arena) {
        case .regex(let regex): return regex
        case .unsupported(let feature): throw reader.unsupported(node, "regular expression uses \(feature)")
        case .invalid: throw reader.error(node, "bad regular expression '\(pattern)'")
        }
    }
}

/// Which modifiers cannot be combined (a set per modifier), built once: rebuilding
/// these sets for every field entry was a measurable share of loading a large pack.
private enum ModifierConflicts {
    static let comparisons: Set<SigmaModifier> = [.gt, .gte, .lt, .lte]
    /// Checked in this order, so the first conflict reported stays the same.
    static let pairs: [(SigmaModifier, Set<SigmaModifier>)] = {
        let wrapping: Set<SigmaModifier> = [.contains, .startswith, .endswith]
        let encodings: Set<SigmaModifier> = [.windash, .base64, .base64offset, .utf16le, .utf16be, .utf16, .wide]
        var out: [(SigmaModifier, Set<SigmaModifier>)] = [
            (.re, wrapping.union(encodings).union(comparisons).union([.cidr, .neq])),
            (.cidr, wrapping.union(encodings).union(comparisons).union([.cased])),
            (.all, [.neq]),
        ]
        for c in [SigmaModifier.gt, .gte, .lt, .lte] {
            out.append((c, wrapping.union(encodings).union(comparisons.subtracting([c])).union([.neq])))
        }
        return out
    }()
}
