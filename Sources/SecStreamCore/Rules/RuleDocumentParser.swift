import Yams

/// One YAML document of a rule file, read but not yet resolved against the
/// other rules (correlations reference rules that may come later).
enum ParsedRule {
    case detection(DetectionRule)
    case correlation(ParsedCorrelation)
    /// A Sigma filter document: its condition is ANDed to the rules it names.
    case filter(ParsedFilter)
}

/// A Sigma filter (the Sigma filters specification): a `filter:` section with
/// selections and a condition, applied to the named rules of its logsource.
struct ParsedFilter {
    let meta: RuleMeta
    let reader: YAMLReader
    let rules: [(text: String, node: Node)]
    /// The filter's condition over its selections, compiled per target rule
    /// (the target's pipelines map the fields).
    let detection: Node
}

/// A correlation as written; `CorrelationResolver` binds its references.
struct ParsedCorrelation {
    struct Reference {
        let text: String
        let node: Node
    }

    let meta: RuleMeta
    let reader: YAMLReader
    let kind: CorrelationKind
    let rules: [Reference]
    let groupBy: [String]
    let groupByNode: Node?
    let timespanMs: Int64
    let window: WindowKind
    let condition: Threshold
    let valueFieldName: String?
    /// value_percentile's `percentile`; 50 for value_median.
    let percentile: Double
    /// alias name -> (rule name or id -> event field)
    let aliases: [String: [String: String]]
    let aliasesNode: Node?
    /// Sigma `generate`: the referenced rules also write their own alerts.
    let generate: Bool
    /// `secstream: {new_terms: ...}` and where it was written (for the resolver's errors).
    let newTerms: NewTermsSpec?
    let newTermsNode: Node?
    /// `secstream: {baseline: ...}`.
    let baseline: BaselineSpec?
}

/// Reads the metadata and the `detection:` or `correlation:` section of one document.
struct RuleDocumentParser {
    let reader: YAMLReader
    let schema: FieldSchema
    let fieldMap: FieldMap
    /// The processing pipelines in the order they apply (by priority), and the
    /// placeholder values for `|expand`.
    let pipelines: PipelineStack
    /// Routes compiled so far in this load (rules of one logsource share theirs).
    let routes: RouteCache
    /// Used for the id of a rule with neither `id` nor `name`.
    let fallbackID: String

    func parse(_ document: Node) throws -> ParsedRule {
        let map = KeyedMap(try reader.mapping(document, "a rule document"))
        if map["action"] != nil {
            throw reader.error(map["action"], "Sigma v1 'action' documents are not supported")
        }
        let meta = try readMeta(map, document)
        if let f = map["filter"], map["detection"] == nil, map["correlation"] == nil {
            return .filter(try readFilter(f, meta: meta))
        }
        switch (map["detection"], map["correlation"]) {
        case (let d?, nil):
            try rejectNewTermsOnDetection(map)
            try rejectBaselineOnDetection(map)
            return .detection(try compileDetection(d, meta: meta, document: map))
        case (nil, let c?):
            return .correlation(try readCorrelation(c, document: map, meta: meta))
        case (.some, .some):
            throw reader.error(document, "a rule has either 'detection' or 'correlation', not both")
        case (nil, nil):
            throw reader.error(document, "document has neither 'detection' nor 'correlation'")
        }
    }

    /// Applies the pipelines to the rule, then compiles its detection and its route.
    private func compileDetection(_ detection: Node, meta: RuleMeta, document: KeyedMap) throws -> DetectionRule {
        let application = application(for: meta, detection: detection)
        if let failure = application.failure {
            throw RuleError(meta.location, "\(failure.message) (processing pipeline \(failure.location))", unsupported: true)
        }
        guard application.recognised else {
            throw RuleLogsourceNotRecognised(location: meta.location, logsource: meta.logsource)
        }
        var compiler = DetectionCompiler(reader: reader, schema: schema, fieldMap: fieldMap)
        compiler.pipelines = application
        let matcher = try compiler.compile(detection)
        return DetectionRule(meta: meta, matcher: matcher, route: try route(application), pipelines: application)
    }

    func application(for meta: RuleMeta, detection: Node?) -> PipelineApplication {
        PipelineApplication(stack: pipelines, logsource: meta.logsource, tags: meta.tags,
                            detectionFields: { detection.map(detectionFields) ?? [] })
    }

    /// The AND of the `add_condition`s that applied, compiled with the fields
    /// as the later pipeline items map them; once per load for each distinct
    /// way the pipelines apply (`PipelineApplication.routeIdentity`).
    private func route(_ application: PipelineApplication) throws -> RuleRoute? {
        guard !application.routes.isEmpty else { return nil }
        let identity = application.routeIdentity
        if let known = routes[identity] { return known }
        let route = try compileRoute(application)
        routes[identity] = route
        return route
    }

    private func compileRoute(_ application: PipelineApplication) throws -> RuleRoute {
        var nodes: [MatchNode] = []
        var keys: [String] = []
        let arena = MatcherArena()
        for r in application.routes {
            var compiler = DetectionCompiler(reader: YAMLReader(file: r.condition.file, fallbackLine: 1),
                                             schema: schema, fieldMap: fieldMap)
            compiler.pipelines = application
            compiler.transformAfter = r.after
            compiler.arena = arena
            let node = try compiler.compileCondition(r.condition.node)
            nodes.append(r.condition.negated ? MatchNode.negation(node, arena: arena) : node)
            keys.append(r.condition.key + " @" + (try compiler.mappedFieldsKey(r.condition.node)))
        }
        return RuleRoute(key: keys.joined(separator: "\n&& "),
                         matcher: DetectionMatcher(root: MatchNode.all(nodes, arena: arena), arena: arena))
    }

    /// Every `field: values` of the detection's selections (for `contains_detection_item`).
    private func detectionFields(_ detection: Node) -> [(field: String, values: [String])] {
        guard case .mapping(let m) = detection else { return [] }
        var out: [(field: String, values: [String])] = []
        func entries(_ node: Node) {
            switch node {
            case .mapping(let sel):
                for (k, v) in sel {
                    guard case .scalar(let key) = k else { continue }
                    let field = String(key.string.split(separator: "|", omittingEmptySubsequences: false).first ?? "")
                    var values: [String] = []
                    switch v {
                    case .scalar(let s): values = [s.string]
                    case .sequence(let seq): values = seq.compactMap { if case .scalar(let s) = $0 { return s.string }; return nil }
                    default: break
                    }
                    out.append((field, values))
                }
            case .sequence(let seq): for n in seq { entries(n) }
            default: break
            }
        }
        for (k, v) in m where k.scalar?.string != "condition" { entries(v) }
        return out
    }

    /// `rules:` of a correlation or filter: one id or name, or a list of them.
    private func ruleReferences(_ node: Node) throws -> [Node] {
        switch node {
        case .scalar: return [node]
        case .sequence(let s): return s.map { $0 }
        default: throw reader.error(node, "'rules' must be a list of rule ids or names")
        }
    }

    private func readFilter(_ node: Node, meta: RuleMeta) throws -> ParsedFilter {
        let f = try reader.mapping(node, "'filter'")
        guard let rulesNode = f["rules"] else { throw reader.error(node, "filter has no 'rules'") }
        let ruleNodes = try ruleReferences(rulesNode)
        guard f["condition"] != nil else { throw reader.error(node, "filter has no 'condition'") }
        return ParsedFilter(meta: meta, reader: reader,
                            rules: try ruleNodes.map { (try reader.string($0, "a rule reference"), $0) },
                            detection: node)
    }

    /// Sigma's metadata; `title` and `level` are optional here (the title falls
    /// back to the id, the level to `medium`) so minimal rules still load.
    private func readMeta(_ map: KeyedMap, _ document: Node) throws -> RuleMeta {
        let id = try identifier(map, "id")
        let name = try identifier(map, "name")
        let resolvedID = id ?? name ?? fallbackID
        let title = try map["title"].map { try reader.string($0, "'title'") } ?? resolvedID
        let level = try map["level"].map { try reader.string($0, "'level'") } ?? "medium"
        let tags = try map["tags"].map { try reader.stringList($0, "'tags'") } ?? []
        let status = try map["status"].map { try reader.string($0, "'status'") }
        var logsource = RuleLogsource()
        if let ls = map["logsource"] {
            let m = try reader.mapping(ls, "'logsource'")
            func part(_ key: String) throws -> String? { try m[key].map { try reader.string($0, "'logsource' \(key)") } }
            logsource = RuleLogsource(product: try part("product"), category: try part("category"), service: try part("service"))
        }
        return RuleMeta(id: resolvedID, name: name, title: title, level: level, tags: tags,
                        location: reader.location(document), status: status, logsource: logsource)
    }

    /// `id` or `name`: references use them, so they may not be empty.
    private func identifier(_ map: KeyedMap, _ key: String) throws -> String? {
        guard let node = map[key] else { return nil }
        let value = try reader.string(node, "'\(key)'")
        guard !value.isEmpty else { throw reader.error(node, "'\(key)' is empty") }
        return value
    }

    // MARK: - Correlation

    private func readCorrelation(_ node: Node, document: KeyedMap, meta: RuleMeta) throws -> ParsedCorrelation {
        let c = try reader.mapping(node, "'correlation'")
        guard let typeNode = c["type"] else { throw reader.error(node, "correlation has no 'type'") }
        let typeText = try reader.string(typeNode, "'type'")
        guard let kind = CorrelationKind(rawValue: typeText) else {
            throw reader.error(typeNode, "unknown correlation type '\(typeText)'")
        }
        guard let rulesNode = c["rules"] else { throw reader.error(node, "correlation has no 'rules'") }
        let ruleNodes = try ruleReferences(rulesNode)
        guard !ruleNodes.isEmpty else { throw reader.error(rulesNode, "'rules' is empty") }
        let rules = try ruleNodes.map { ParsedCorrelation.Reference(text: try reader.string($0, "a rule reference"), node: $0) }

        let groupByNode = c["group-by"]
        let groupBy = try groupByNode.map { try reader.stringList($0, "'group-by'") } ?? []

        guard let timespanNode = c["timespan"] else { throw reader.error(node, "correlation has no 'timespan'") }
        let timespanText = try reader.string(timespanNode, "'timespan'")
        guard let timespanMs = SigmaDuration.milliseconds(timespanText) else {
            throw reader.error(timespanNode, "bad duration '\(timespanText)' (expected a number and s, m, h or d, e.g. 5m)")
        }

        let secstreamNode = document["secstream"] ?? c["secstream"]
        let window = try readWindow(secstreamNode)
        let baselineNode = try secstreamNode.flatMap { try reader.mapping($0, "'secstream'")["baseline"] }
        let (condition, valueField, percentile) = try readCondition(c["condition"], kind: kind, ruleCount: rules.count,
                                                                    window: window, correlationNode: node,
                                                                    baseline: baselineNode != nil)
        let baseline = try baselineNode.map { n -> BaselineSpec in
            try readBaseline(n, kind: kind, groupBy: groupBy, window: window, timespanMs: timespanMs,
                             condition: condition, conditionNode: c["condition"])
        }
        let newTermsNode = try secstreamNode.flatMap { try reader.mapping($0, "'secstream'")["new_terms"] }
        let newTerms = try newTermsNode.map { n -> NewTermsSpec in
            if baselineNode != nil { throw reader.error(n, "a correlation has either new_terms or baseline, not both") }
            let spec = try readNewTerms(n, groupBy: groupBy)
            try checkNewTermsPlacement(n, kind: kind, window: window, condition: condition,
                                       conditionNode: c["condition"] ?? node)
            return spec
        }
        if (kind == .valuePercentile || kind == .valueMedian), window != .sliding {
            throw reader.unsupported(typeNode, "\(kind.rawValue) runs on sliding windows only (not \(window == .tumbling ? "tumbling" : "session"))")
        }
        let aliasesNode = c["aliases"]
        let aliases = try aliasesNode.map(readAliases) ?? [:]
        let generateNode = c["generate"] ?? document["generate"]
        var generate = false
        if let g = generateNode {
            guard case .scalar(let s) = g, case .bool(let b) = SigmaScalar(s) else {
                throw reader.error(g, "'generate' must be true or false")
            }
            generate = b
        }
        return ParsedCorrelation(meta: meta, reader: reader, kind: kind, rules: rules, groupBy: groupBy,
                                 groupByNode: groupByNode, timespanMs: timespanMs, window: window,
                                 condition: condition, valueFieldName: valueField, percentile: percentile, aliases: aliases,
                                 aliasesNode: aliasesNode, generate: generate, newTerms: newTerms, newTermsNode: newTermsNode,
                                 baseline: baseline)
    }

    /// The secstream extension `secstream: {window: tumbling}` / `{window: session, gap: 2m}`
    /// (its other options, `new_terms` and `baseline`, are read by `readNewTerms` and `readBaseline`).
    private func readWindow(_ node: Node?) throws -> WindowKind {
        guard let node else { return .sliding }
        let m = try reader.mapping(node, "'secstream'")
        for (k, _) in m {
            let key = try reader.key(k)
            guard key == "window" || key == "gap" || key == "new_terms" || key == "baseline" else {
                throw reader.error(k, "unknown secstream option '\(key)'")
            }
        }
        let windowText = try m["window"].map { try reader.string($0, "'window'") } ?? "sliding"
        switch windowText {
        case "sliding", "tumbling":
            if let gap = m["gap"] { throw reader.error(gap, "'gap' applies only to session windows") }
            return windowText == "sliding" ? .sliding : .tumbling
        case "session":
            guard let gapNode = m["gap"] else { throw reader.error(node, "a session window needs 'gap'") }
            let gapText = try reader.string(gapNode, "'gap'")
            guard let gap = SigmaDuration.milliseconds(gapText) else {
                throw reader.error(gapNode, "bad duration '\(gapText)' (expected a number and s, m, h or d, e.g. 2m)")
            }
            return .session(gapMs: gap)
        default:
            throw reader.error(m["window"], "unknown window '\(windowText)' (expected sliding, tumbling or session)")
        }
    }

    private func readCondition(_ node: Node?, kind: CorrelationKind, ruleCount: Int, window: WindowKind,
                               correlationNode: Node, baseline: Bool = false) throws -> (Threshold, String?, Double) {
        let needsField = [.valueCount, .valueSum, .valueAvg, .valuePercentile, .valueMedian].contains(kind)
        var percentile = 50.0
        guard let node else {
            if kind == .temporal || kind == .temporalOrdered {
                // Sigma's temporal default: every referenced rule has matched.
                return (Threshold(gte: Double(ruleCount)), nil, percentile)
            }
            // A baseline's score replaces the thresholds: an event_count needs no condition.
            if baseline && kind == .eventCount { return (Threshold(), nil, percentile) }
            throw reader.error(correlationNode, "\(kind.rawValue) correlation has no 'condition'")
        }
        let m = try reader.mapping(node, "'condition'")
        var t = Threshold()
        var field: String?
        for (k, v) in m {
            let key = try reader.key(k)
            if key == "field" {
                guard needsField else {
                    throw reader.error(k, "'field' applies only to value_count, value_sum, value_avg, value_percentile and value_median")
                }
                field = try reader.string(v, "'field'")
                continue
            }
            if key == "percentile" {
                guard kind == .valuePercentile else { throw reader.error(k, "'percentile' applies only to value_percentile") }
                guard case .scalar(let s) = v, case .number(let p, _) = SigmaScalar(s), p >= 0, p <= 100 else {
                    throw reader.error(v, "'percentile' needs a number from 0 to 100")
                }
                percentile = p
                continue
            }
            guard ["gt", "gte", "lt", "lte", "eq", "neq"].contains(key) else {
                throw reader.error(k, "unknown condition '\(key)' (expected gt, gte, lt, lte, eq, neq or field)")
            }
            guard case .scalar(let s) = v, case .number(let bound, _) = SigmaScalar(s) else {
                throw reader.error(v, "condition '\(key)' needs a number")
            }
            if window == .sliding, ["lt", "lte", "eq", "neq"].contains(key) {
                throw reader.error(k, "condition '\(key)' is only valid on tumbling or session windows")
            }
            switch key {
            case "gt": t.gt = bound
            case "gte": t.gte = bound
            case "lt": t.lt = bound
            case "lte": t.lte = bound
            case "eq": t.eq = bound
            default: t.neq = bound
            }
        }
        if needsField && field == nil { throw reader.error(node, "\(kind.rawValue) needs 'field' in its condition") }
        if kind == .valuePercentile && m["percentile"] == nil {
            throw reader.error(node, "value_percentile needs 'percentile' in its condition")
        }
        guard t != Threshold() || baseline else { throw reader.error(node, "condition needs one of gt, gte, lt, lte, eq, neq") }
        return (t, field, percentile)
    }

    private func readAliases(_ node: Node) throws -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for (k, v) in try reader.mapping(node, "'aliases'") {
            let alias = try reader.key(k)
            var perRule: [String: String] = [:]
            for (rk, rv) in try reader.mapping(v, "alias '\(alias)'") {
                perRule[try reader.key(rk)] = try reader.string(rv, "alias '\(alias)' field")
            }
            out[alias] = perRule
        }
        return out
    }
}
