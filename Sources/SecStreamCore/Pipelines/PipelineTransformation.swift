import Yams

/// The pySigma transformations secstream applies (`type:` of a processing item).
public enum PipelineTransformation: Sendable {
    /// `field_name_mapping`: a Sigma field -> one event field or candidates
    /// (tried in order; the first present in an event is the value).
    case fieldNameMapping([String: [String]])
    /// `field_name_prefix_mapping`: a field starting with a prefix gets another prefix.
    case fieldNamePrefixMapping([(from: String, to: String)])
    /// `field_name_prefix` / `field_name_suffix`: added to every (matching) field name.
    case fieldNamePrefix(String)
    case fieldNameSuffix(String)
    /// `add_condition`: the rule applies only to events where these field tests
    /// hold. With a logsource rule condition this is how a pipeline recognises
    /// a logsource in events, so it becomes the rule's route.
    case addCondition(AddedCondition)
    /// `change_logsource`: later items see this logsource.
    case changeLogsource(product: String?, category: String?, service: String?)
    /// `value_placeholders`: `%name%` in `|expand` values become the pipeline's `vars`
    /// (secstream always expands placeholders that have values; this keeps pySigma files loading).
    case valuePlaceholders
    /// `drop_detection_item`: the matching detection items are removed.
    case dropDetectionItem
    /// `rule_failure` / `detection_item_failure`: the rule cannot run with this pipeline.
    case ruleFailure(String)
    case detectionItemFailure(String)
}

/// The selection an `add_condition` adds, as written (field keys may carry
/// modifiers), and whether it is negated.
public struct AddedCondition: @unchecked Sendable {
    /// The `conditions:` map as YAML, compiled like a selection of the rule.
    var node: Node
    /// The pipeline file, for `file:line` in messages about the condition.
    var file: String
    public var negated: Bool
    /// A canonical text of the condition, so rules with the same route share it.
    public var key: String
}
