import Foundation
import Yams

/// Reads a processing pipeline in pySigma's YAML format. A pipeline that does
/// not parse, or uses a transformation or condition secstream does not apply,
/// is an error naming `file:line` (exit 2: a configuration error).
public enum PipelineParser {
    public static func load(path: String) throws -> ProcessingPipeline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleError(file: path, line: 0, "cannot read processing pipeline")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RuleError(file: path, line: 0, "processing pipeline is not UTF-8")
        }
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(text, source: path, defaultName: stem)
    }

    /// `checkSize`: hold the document to `YAMLSizeLimit` (files a user names;
    /// the built-in pipelines are compiled in).
    public static func parse(_ text: String, source: String, defaultName: String, checkSize: Bool = true) throws -> ProcessingPipeline {
        let reader = YAMLReader(file: source, fallbackLine: 1)
        let root: Node?
        do { root = try YAMLReader.compose(text) } catch { throw RuleError.fromYAML(error, file: source) }
        guard let root else { throw RuleError(file: source, line: 0, "processing pipeline is empty") }
        if checkSize { try YAMLSizeLimit.check(root, file: source) }
        let map = try reader.mapping(root, "a processing pipeline")
        var pipeline = ProcessingPipeline(name: defaultName, source: source)
        for (k, v) in map {
            let key = try reader.key(k)
            switch key {
            case "name": pipeline.name = try reader.string(v, "'name'")
            case "priority":
                guard let p = Int(try reader.string(v, "'priority'")) else { throw reader.error(v, "'priority' must be a whole number") }
                pipeline.priority = p
            case "vars":
                for (vk, vv) in try reader.mapping(v, "'vars'") {
                    pipeline.vars[try reader.key(vk)] = try reader.stringList(vv, "a placeholder's values")
                }
            case "transformations":
                guard case .sequence(let seq) = v else { throw reader.error(v, "'transformations' must be a list") }
                for node in seq {
                    // `set_state` without conditions is pipeline state for the backend,
                    // which pySigma loads: where secstream reads `time_field` and `time_unit`.
                    if case .mapping(let m) = node, m["type"]?.scalar?.string == "set_state" {
                        guard m["rule_conditions"] == nil, let key = m["key"], let val = m["val"] else {
                            throw reader.error(node, "set_state needs 'key' and 'val' and no conditions")
                        }
                        let name = try reader.string(key, "'key'")
                        if name == "time_field" || name == "time_unit" { try setting(name, val, reader, &pipeline, at: key) }
                        continue
                    }
                    pipeline.items.append(try item(node, reader))
                }
            case "secstream":
                for (sk, sv) in try reader.mapping(v, "'secstream'") {
                    try setting(try reader.key(sk), sv, reader, &pipeline, at: sk)
                }
            case "postprocessing", "finalizers":
                // Query-text steps of pySigma backends: nothing to do for an engine that runs rules.
                continue
            case "allowed_backends", "description", "author", "date", "references":
                continue
            default:
                throw reader.error(k, "unknown processing pipeline key '\(key)'")
            }
        }
        return pipeline
    }

    /// `time_field` or `time_unit` (from `set_state` or the `secstream:` map).
    private static func setting(_ name: String, _ value: Node, _ reader: YAMLReader, _ pipeline: inout ProcessingPipeline,
                                at node: Node) throws {
        switch name {
        case "time_field": pipeline.timeField = try reader.string(value, "'time_field'")
        case "time_unit":
            let text = try reader.string(value, "'time_unit'")
            guard let unit = EpochUnit(rawValue: text) else { throw reader.error(value, "'time_unit' must be s or ms") }
            pipeline.epochUnit = unit
        default: throw reader.error(node, "unknown secstream option '\(name)' (expected time_field or time_unit)")
        }
    }

    private static func item(_ node: Node, _ reader: YAMLReader) throws -> ProcessingItem {
        let m = try reader.mapping(node, "a transformation")
        // Looked up by key text once (`Node.Mapping`'s subscript compares a
        // built node with every key: a sixth of start-up with the ecs pipeline).
        let keyed = KeyedMap(m)
        guard let typeNode = keyed["type"] else { throw reader.error(node, "transformation has no 'type'") }
        let type = try reader.string(typeNode, "'type'")
        let id = try keyed["id"].map { try reader.string($0, "'id'") }
        let known: Set<String> = ["id", "type", "rule_conditions", "rule_cond_op", "rule_cond_not",
                                  "detection_item_conditions", "detection_item_cond_op", "detection_item_cond_not",
                                  "field_name_conditions", "field_name_cond_op", "field_name_cond_not"]
        var params: [String: Node] = [:]
        for (k, v) in m {
            let key = try reader.key(k)
            if key.hasSuffix("_cond_expr") {
                throw reader.error(k, "'\(key)' is not supported: list the conditions and use '\(key.replacingOccurrences(of: "_expr", with: "_op"))'")
            }
            if !known.contains(key) { params[key] = v }
        }
        func param(_ name: String) throws -> Node {
            guard let p = params[name] else { throw reader.error(node, "\(type) needs '\(name)'") }
            return p
        }
        func optionalString(_ name: String) throws -> String? { try params[name].map { try reader.string($0, "'\(name)'") } }

        let transformation: PipelineTransformation
        switch type {
        case "field_name_mapping":
            var mapping: [String: [String]] = [:]
            for (k, v) in try reader.mapping(try param("mapping"), "'mapping'") {
                mapping[try reader.key(k)] = try reader.stringList(v, "a field mapping")
            }
            transformation = .fieldNameMapping(mapping)
        case "field_name_prefix_mapping":
            var pairs: [(from: String, to: String)] = []
            for (k, v) in try reader.mapping(try param("mapping"), "'mapping'") {
                pairs.append((try reader.key(k), try reader.string(v, "a prefix mapping")))
            }
            transformation = .fieldNamePrefixMapping(pairs)
        case "field_name_prefix": transformation = .fieldNamePrefix(try reader.string(try param("prefix"), "'prefix'"))
        case "field_name_suffix": transformation = .fieldNameSuffix(try reader.string(try param("suffix"), "'suffix'"))
        case "add_condition":
            let conditions = try param("conditions")
            _ = try reader.mapping(conditions, "'conditions'")
            var negated = false
            if let n = params["negated"] { negated = try bool(n, reader, "'negated'") }
            let text = try Yams.serialize(node: conditions)
            transformation = .addCondition(AddedCondition(node: conditions, file: reader.file, negated: negated,
                                                          key: (negated ? "not " : "") + text))
        case "change_logsource":
            transformation = .changeLogsource(product: try optionalString("product"), category: try optionalString("category"),
                                              service: try optionalString("service"))
        case "value_placeholders": transformation = .valuePlaceholders
        case "drop_detection_item": transformation = .dropDetectionItem
        case "rule_failure": transformation = .ruleFailure(try optionalString("message") ?? "rule_failure")
        case "detection_item_failure": transformation = .detectionItemFailure(try optionalString("message") ?? "detection_item_failure")
        default:
            throw reader.error(typeNode, "transformation type '\(type)' is not supported (supported: field_name_mapping, field_name_prefix_mapping, field_name_prefix, field_name_suffix, add_condition, change_logsource, value_placeholders, drop_detection_item, rule_failure, detection_item_failure)")
        }
        return ProcessingItem(
            id: id, transformation: transformation,
            ruleConditions: try conditionSet(keyed, "rule", reader, ruleCondition),
            detectionItemConditions: try conditionSet(keyed, "detection_item", reader, detectionItemCondition),
            fieldNameConditions: try conditionSet(keyed, "field_name", reader, fieldNameCondition),
            location: reader.location(node))
    }

    private static func bool(_ node: Node, _ reader: YAMLReader, _ what: String) throws -> Bool {
        guard case .scalar(let s) = node, case .bool(let b) = SigmaScalar(s) else {
            throw reader.error(node, "\(what) must be true or false")
        }
        return b
    }

    private static func conditionSet<C>(_ m: KeyedMap, _ prefix: String, _ reader: YAMLReader,
                                        _ one: (Node.Mapping, Node, YAMLReader) throws -> C) throws -> ConditionSet<C> {
        var set = ConditionSet<C>()
        if let list = m["\(prefix)_conditions"] {
            guard case .sequence(let seq) = list else {
                throw reader.error(list, "'\(prefix)_conditions' must be a list (named conditions with '\(prefix)_cond_expr' are not supported)")
            }
            set.conditions = try seq.map { try one(try reader.mapping($0, "a condition"), $0, reader) }
        }
        if let op = m["\(prefix)_cond_op"] {
            switch try reader.string(op, "'\(prefix)_cond_op'").lowercased() {
            case "and": set.any = false
            case "or": set.any = true
            default: throw reader.error(op, "'\(prefix)_cond_op' must be 'and' or 'or'")
            }
        }
        if let n = m["\(prefix)_cond_not"] { set.negated = try bool(n, reader, "'\(prefix)_cond_not'") }
        return set
    }

    private static func conditionType(_ m: Node.Mapping, _ node: Node, _ reader: YAMLReader) throws -> String {
        guard let t = m["type"] else { throw reader.error(node, "condition has no 'type'") }
        return try reader.string(t, "'type'")
    }

    private static func ruleCondition(_ m: Node.Mapping, _ node: Node, _ reader: YAMLReader) throws -> RuleCondition {
        let type = try conditionType(m, node, reader)
        func s(_ k: String) throws -> String? { try m[k].map { try reader.string($0, "'\(k)'") } }
        switch type {
        case "logsource": return .logsource(product: try s("product"), category: try s("category"), service: try s("service"))
        case "tag":
            guard let tag = try s("tag") else { throw reader.error(node, "tag condition needs 'tag'") }
            return .tag(tag)
        case "processing_item_applied":
            guard let id = try s("processing_item_id") else { throw reader.error(node, "needs 'processing_item_id'") }
            return .processingItemApplied(id)
        case "contains_detection_item":
            guard let field = try s("field") else { throw reader.error(node, "contains_detection_item needs 'field'") }
            return .containsDetectionItem(field: field, value: try s("value"))
        default:
            throw reader.error(node, "rule condition type '\(type)' is not supported (supported: logsource, tag, processing_item_applied, contains_detection_item)")
        }
    }

    private static func detectionItemCondition(_ m: Node.Mapping, _ node: Node, _ reader: YAMLReader) throws -> DetectionItemCondition {
        let type = try conditionType(m, node, reader)
        switch type {
        case "match_string":
            guard let p = m["pattern"] else { throw reader.error(node, "match_string needs 'pattern'") }
            let pattern = try reader.string(p, "'pattern'")
            guard (try? NSRegularExpression(pattern: pattern)) != nil else { throw reader.error(p, "bad regular expression '\(pattern)'") }
            let negate = try m["negate"].map { try bool($0, reader, "'negate'") } ?? false
            return .matchString(pattern: pattern, negate: negate)
        case "processing_item_applied":
            guard let id = m["processing_item_id"] else { throw reader.error(node, "needs 'processing_item_id'") }
            return .processingItemApplied(try reader.string(id, "'processing_item_id'"))
        default:
            throw reader.error(node, "detection item condition type '\(type)' is not supported (supported: match_string, processing_item_applied)")
        }
    }

    private static func fieldNameCondition(_ m: Node.Mapping, _ node: Node, _ reader: YAMLReader) throws -> FieldNameCondition {
        let type = try conditionType(m, node, reader)
        guard let f = m["fields"] else { throw reader.error(node, "\(type) needs 'fields'") }
        let fields = try reader.stringList(f, "'fields'")
        switch type {
        case "include_fields": return .include(fields)
        case "exclude_fields": return .exclude(fields)
        default:
            throw reader.error(node, "field name condition type '\(type)' is not supported (supported: include_fields, exclude_fields)")
        }
    }
}
