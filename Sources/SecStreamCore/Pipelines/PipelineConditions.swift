/// Conditions on the rule a processing item may apply to (`rule_conditions`).
public enum RuleCondition: Sendable {
    /// `type: logsource`: every given attribute equals the rule's (case-insensitively).
    case logsource(product: String?, category: String?, service: String?)
    /// `type: tag`: the rule carries the tag.
    case tag(String)
    /// `type: processing_item_applied`: an earlier item with that id applied to the rule.
    case processingItemApplied(String)
    /// `type: contains_detection_item`: some detection item has this field (and value).
    case containsDetectionItem(field: String, value: String?)
}

/// Conditions on one detection item (`detection_item_conditions`).
public enum DetectionItemCondition: Sendable {
    /// `type: match_string`: some (or, negated, no) string value matches the regex.
    case matchString(pattern: String, negate: Bool)
    /// `type: processing_item_applied`: an earlier item with that id changed this item.
    case processingItemApplied(String)
}

/// Conditions on a field name (`field_name_conditions`).
public enum FieldNameCondition: Sendable {
    /// `type: include_fields` / `exclude_fields`: the field is (not) one of these.
    case include([String])
    case exclude([String])
}
