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
    }
}
