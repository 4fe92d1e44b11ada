/// A pySigma processing pipeline (the YAML sigma-cli users already write):
/// how a rule's `logsource` is recognised in events (`add_condition`) and how
/// Sigma field names map onto the event schema (`field_name_mapping`, ...).
/// Pipelines are applied to each rule at load time, in priority order.
public struct ProcessingPipeline: Sendable {
    /// `name:`, or the file name.
    public var name: String
    /// Lower runs first (pySigma's rule); ties keep the order given.
    public var priority: Int
    /// `vars:`: placeholder name -> values, for `|expand` values.
    public var vars: [String: [String]]
    public var items: [ProcessingItem]
    /// The secstream extension `secstream: {time_field: FIELD}`: the event time field
    /// of events of this schema (`Event.System.TimeCreated.#attributes.SystemTime`).
    public var timeField: String?
    /// What a numeric event time counts (`time_unit: s` for Zeek's `ts`).
    public var epochUnit: EpochUnit?
    /// Where it came from (`file` or `builtin:NAME`), for messages.
    public var source: String

    public init(name: String, priority: Int = 0, vars: [String: [String]] = [:], items: [ProcessingItem] = [],
                timeField: String? = nil, source: String) {
        self.name = name; self.priority = priority; self.vars = vars; self.items = items
        self.timeField = timeField; self.source = source
    }
}

/// One entry of `transformations:`: what to do, and the conditions under which
/// it applies to a rule, to a detection item, and to a field name.
public struct ProcessingItem: Sendable {
    /// `id:`, which `processing_item_applied` conditions name.
    public var id: String?
    public var transformation: PipelineTransformation
    public var ruleConditions: ConditionSet<RuleCondition>
    public var detectionItemConditions: ConditionSet<DetectionItemCondition>
    public var fieldNameConditions: ConditionSet<FieldNameCondition>
    /// `file:line` of the item, for messages.
    public var location: RuleLocation

    public init(id: String?, transformation: PipelineTransformation,
                ruleConditions: ConditionSet<RuleCondition> = .init(),
                detectionItemConditions: ConditionSet<DetectionItemCondition> = .init(),
                fieldNameConditions: ConditionSet<FieldNameCondition> = .init(),
                location: RuleLocation) {
        self.id = id; self.transformation = transformation; self.ruleConditions = ruleConditions
        self.detectionItemConditions = detectionItemConditions; self.fieldNameConditions = fieldNameConditions
        self.location = location
    }
}

/// A list of conditions combined with `*_cond_op` (and/or) and `*_cond_not`;
/// an empty list always holds (pySigma's rule).
public struct ConditionSet<C: Sendable>: Sendable {
    public var conditions: [C] = []
    public var any = false
    public var negated = false

    public init(_ conditions: [C] = [], any: Bool = false, negated: Bool = false) {
        self.conditions = conditions; self.any = any; self.negated = negated
    }

    /// Whether the set holds, given how to evaluate one condition.
    public func holds(_ test: (C) -> Bool) -> Bool {
        if conditions.isEmpty { return true }
        let result = any ? conditions.contains(where: test) : conditions.allSatisfy(test)
        return result != negated
    }
}
