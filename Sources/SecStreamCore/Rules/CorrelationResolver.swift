/// Binds correlations to the rules they reference (by `id` or `name`), orders
/// each correlation after its sources, resolves `group-by` through aliases and
/// the field map, and decides which rules write their own alerts (`generate`).
struct CorrelationResolver {
    let schema: FieldSchema
    let fieldMap: FieldMap
    let detections: [DetectionRule]
    let parsed: [ParsedCorrelation]

    private enum Target: Equatable {
        case detection(Int)
        case correlation(Int)  // index into `parsed`
    }

    func resolve() throws -> [CorrelationRule] {
        let index = try buildIndex()
        // Each correlation's sources, as listed.
        var targets: [[Target]] = []
        for c in parsed {
            var listed = Set<String>()
            for ref in c.rules where !listed.insert(ref.text).inserted {
                throw c.reader.error(ref.node, "rule '\(ref.text)' is listed twice")
            }
            targets.append(try c.rules.map { ref in
                guard let t = index[ref.text] else {
                    throw c.reader.error(ref.node, "unknown rule '\(ref.text)' (no rule has this id or name)")
                }
                return t
            })
        }
        let order = try topologicalOrder(targets)
        var finalIndex = [Int](repeating: -1, count: parsed.count)
        for (position, p) in order.enumerated() { finalIndex[p] = position }

        var rules: [CorrelationRule] = []
        for p in order {
            let c = parsed[p]
            var inputs: [CorrelationInput] = []
            for (ref, target) in zip(c.rules, targets[p]) {
                switch target {
                case .detection(let d):
                    inputs.append(try detectionInput(c, ref: ref, rule: detections[d].meta, index: d))
                case .correlation(let q):
                    inputs.append(try correlationInput(c, ref: ref, source: rules[finalIndex[q]], index: finalIndex[q]))
                }
            }
            // new_terms: the term fields follow the group-by in every key, so
            // the alert's `group` names the new term (`NewTermsSpec`).
            rules.append(CorrelationRule(meta: c.meta, kind: c.kind, inputs: inputs, groupBy: keyFields(c),
                                         timespanMs: c.timespanMs, window: c.window, condition: c.condition,
                                         valueFieldName: c.valueFieldName, percentile: c.percentile,
                                         newTerms: c.newTerms, baseline: c.baseline))
        }
        markAlertEmitters(targets, finalIndex: finalIndex, correlations: rules)
        return rules
    }

    /// `id` and `name` of every rule; both must be unique across the set.
    private func buildIndex() throws -> [String: Target] {
        var index: [String: Target] = [:]
        var seen: [String: RuleLocation] = [:]
        func add(_ key: String, _ what: String, _ target: Target, _ location: RuleLocation) throws {
            if let first = seen[key] {
                throw RuleError(location, "duplicate rule \(what) '\(key)' (first defined at \(first))")
            }
            seen[key] = location
            index[key] = target
        }
        for (i, d) in detections.enumerated() {
            try add(d.meta.id, "id", .detection(i), d.meta.location)
            if let name = d.meta.name, name != d.meta.id { try add(name, "name", .detection(i), d.meta.location) }
        }
        for (i, c) in parsed.enumerated() {
            try add(c.meta.id, "id", .correlation(i), c.meta.location)
            if let name = c.meta.name, name != c.meta.id { try add(name, "name", .correlation(i), c.meta.location) }
        }
        return index
    }

    /// Correlations in load order, each moved after the correlations it reads.
    private func topologicalOrder(_ targets: [[Target]]) throws -> [Int] {
        enum Mark { case unvisited, visiting, done }
        var marks = [Mark](repeating: .unvisited, count: parsed.count)
        var order: [Int] = []
        func visit(_ i: Int, path: [Int]) throws {
            switch marks[i] {
            case .done: return
            case .visiting:
                let cycle = (path.drop { $0 != i } + [i]).map { parsed[$0].meta.id }.joined(separator: " -> ")
                throw RuleError(parsed[i].meta.location, "reference cycle: \(cycle)")
            case .unvisited:
                marks[i] = .visiting
                for case .correlation(let j) in targets[i] { try visit(j, path: path + [i]) }
                marks[i] = .done
                order.append(i)
            }
        }
        for i in parsed.indices { try visit(i, path: []) }
        return order
    }

    /// The field an alias stands for in events of rule `meta` (keyed by the
    /// reference as written, the rule's name or its id), or nil if `name` is no alias.
    private func aliasField(_ name: String, _ c: ParsedCorrelation, ref: ParsedCorrelation.Reference,
                            meta: RuleMeta) throws -> String? {
        guard let perRule = c.aliases[name] else { return nil }
        if let f = perRule[ref.text] ?? meta.name.flatMap({ perRule[$0] }) ?? perRule[meta.id] { return f }
        throw c.reader.error(c.aliasesNode, "alias '\(name)' has no field for rule '\(ref.text)'")
    }

    /// The fields of a correlation's group key: its `group-by`, then any new_terms fields.
    private func keyFields(_ c: ParsedCorrelation) -> [String] {
        c.groupBy + (c.newTerms?.fields ?? [])
    }

    private func detectionInput(_ c: ParsedCorrelation, ref: ParsedCorrelation.Reference, rule: RuleMeta,
                                index: Int) throws -> CorrelationInput {
        let groupFields = try keyFields(c).map { g in
            try eventField(try aliasField(g, c, ref: ref, meta: rule) ?? g, of: detections[index])
        }
        var valueField: FieldRef?
        if let v = c.valueFieldName {
            valueField = try eventField(try aliasField(v, c, ref: ref, meta: rule) ?? v, of: detections[index])
        }
        return CorrelationInput(source: .detection(index), groupFields: groupFields, valueField: valueField)
    }

    /// A Sigma field of a detection rule's events: through the rule's
    /// pipelines (as its detection's fields went), then the field map.
    private func eventField(_ field: String, of rule: DetectionRule) throws -> FieldRef {
        var fields = [field]
        if let pipelines = rule.pipelines,
           let item = try pipelines.transform(.init(fields: [field], values: []), at: rule.meta.location) {
            fields = item.fields
        }
        var seen = Set<String>()
        return FieldRef(fields.flatMap { fieldMap.eventFields(for: $0) }.filter { seen.insert($0).inserted }.map { schema.intern($0) })
    }

    private func correlationInput(_ c: ParsedCorrelation, ref: ParsedCorrelation.Reference, source: CorrelationRule,
                                  index: Int) throws -> CorrelationInput {
        if c.valueFieldName != nil {
            throw c.reader.error(ref.node, "\(c.kind.rawValue) aggregates event fields, but '\(ref.text)' is a correlation")
        }
        if c.newTerms != nil {
            throw c.reader.error(ref.node, "new_terms reads its terms from event fields, but '\(ref.text)' is a correlation")
        }
        let indexes = try c.groupBy.map { g -> Int in
            let name = try aliasField(g, c, ref: ref, meta: source.meta) ?? g
            guard let i = source.groupBy.firstIndex(of: name) else {
                throw c.reader.error(c.groupByNode ?? ref.node,
                                     "group-by '\(name)' is not in the group-by of referenced correlation '\(ref.text)'")
            }
            return i
        }
        return CorrelationInput(source: .correlation(index), groupIndexes: indexes)
    }

    /// Sigma `generate`: a rule consumed by correlations writes its own alerts
    /// only if one of them asks for it; a rule nobody references always does.
    private func markAlertEmitters(_ targets: [[Target]], finalIndex: [Int], correlations: [CorrelationRule]) {
        var referenced = Set<Int>(), generatedDetections = Set<Int>()
        var referencedCorrelations = Set<Int>(), generatedCorrelations = Set<Int>()
        for (p, list) in targets.enumerated() {
            for t in list {
                switch t {
                case .detection(let d):
                    referenced.insert(d)
                    if parsed[p].generate { generatedDetections.insert(d) }
                case .correlation(let q):
                    referencedCorrelations.insert(finalIndex[q])
                    if parsed[p].generate { generatedCorrelations.insert(finalIndex[q]) }
                }
            }
        }
        for (i, d) in detections.enumerated() {
            d.emitsAlerts = !referenced.contains(i) || generatedDetections.contains(i)
        }
        for (i, c) in correlations.enumerated() {
            c.emitsAlerts = !referencedCorrelations.contains(i) || generatedCorrelations.contains(i)
        }
    }
}
