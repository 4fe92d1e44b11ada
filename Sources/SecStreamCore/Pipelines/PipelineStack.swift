/// The loaded processing pipelines as one list of items in the order they
/// apply (by priority), with the placeholder values they give: built once per
/// load and read by every rule's `PipelineApplication` (flattening the
/// pipelines and merging their `vars` per rule copied every item each time).
final class PipelineStack {
    let items: [ProcessingItem]
    /// `--placeholders`, then each pipeline's `vars` for names not given yet.
    let placeholders: [String: [String]]
    /// A pipeline is loaded at all: without one, rules are not routed (library use).
    let routing: Bool
    /// Whether some item's rule conditions look at the rule's detection items
    /// (`contains_detection_item`): only then are they listed per rule.
    let readsDetectionItems: Bool
    /// Whether some item's rule conditions look at the rule's tags.
    let readsTags: Bool

    /// What the rule conditions decided for a rule (see `PipelineApplication`).
    struct Decision {
        var itemLevel: [Int] = []
        var routes: [PipelineApplication.Route] = []
        var failure: (message: String, location: RuleLocation)?
    }

    /// Decisions by logsource (and tags, when an item reads them): a pack of
    /// thousands of rules has a few dozen distinct logsources, and each
    /// decision walks every item of every pipeline. Not used when items look
    /// at detection items (then each rule decides for itself).
    private var decisions: [DecisionKey: Decision] = [:]
    private struct DecisionKey: Hashable {
        var logsource: RuleLogsource
        var tags: Set<String>
    }

    /// `pipelines` in the order they apply.
    init(pipelines: [ProcessingPipeline], placeholders: [String: [String]]) {
        items = pipelines.flatMap(\.items)
        routing = !pipelines.isEmpty
        var vars = placeholders
        for p in pipelines { for (k, v) in p.vars where vars[k] == nil { vars[k] = v } }
        self.placeholders = vars
        readsDetectionItems = items.contains { item in
            item.ruleConditions.conditions.contains { if case .containsDetectionItem = $0 { return true }; return false }
        }
        readsTags = items.contains { item in
            item.ruleConditions.conditions.contains { if case .tag = $0 { return true }; return false }
        }
    }

    /// The decision for a rule of `logsource` and `tags` (`detectionFields`
    /// is asked only if some item's rule conditions need it).
    func decide(logsource: RuleLogsource, tags: [String],
                detectionFields: () -> [(field: String, values: [String])]) -> Decision {
        if readsDetectionItems {
            return Self.decide(items, logsource: logsource, lowerTags: Set(tags.map { $0.lowercased() }),
                               detectionFields: detectionFields())
        }
        let key = DecisionKey(logsource: logsource, tags: readsTags ? Set(tags.map { $0.lowercased() }) : [])
        if let known = decisions[key] { return known }
        let decision = Self.decide(items, logsource: logsource, lowerTags: key.tags, detectionFields: [])
        decisions[key] = decision
        return decision
    }

    /// pySigma's order: each item whose rule conditions hold (on the logsource
    /// as earlier `change_logsource` items left it) applies.
    private static func decide(_ items: [ProcessingItem], logsource: RuleLogsource, lowerTags: Set<String>,
                               detectionFields: [(field: String, values: [String])]) -> Decision {
        var decision = Decision()
        var current = logsource
        var applied = Set<String>()
        for (index, item) in items.enumerated() {
            let holds = item.ruleConditions.holds { c in
                switch c {
                case .logsource(let p, let cat, let s): return current.satisfies(product: p, category: cat, service: s)
                case .tag(let t): return lowerTags.contains(t.lowercased())
                case .processingItemApplied(let id): return applied.contains(id)
                case .containsDetectionItem(let field, let value):
                    return detectionFields.contains { $0.field == field && (value == nil || $0.values.contains(value!)) }
                }
            }
            guard holds else { continue }
            if let id = item.id { applied.insert(id) }
            switch item.transformation {
            case .changeLogsource(let p, let c, let s):
                // pySigma replaces the whole logsource: what the item leaves out is gone
                // (windows-audit turns category process_creation into service security, so
                // the Sysmon routing of process_creation no longer applies).
                current = RuleLogsource(product: p, category: c, service: s)
            case .addCondition(let added):
                decision.routes.append(PipelineApplication.Route(condition: added, after: index))
            case .ruleFailure(let message):
                if decision.failure == nil { decision.failure = (message, item.location) }
            default:
                decision.itemLevel.append(index)
            }
        }
        return decision
    }
}
