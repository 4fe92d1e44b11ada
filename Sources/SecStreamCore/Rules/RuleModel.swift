/// Where a rule came from, for error messages and alerts (`file:line`).
public struct RuleLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) { self.file = file; self.line = line }
    public var description: String { "\(file):\(line)" }
}

/// The descriptive part of any rule, copied into every alert.
public struct RuleMeta: Sendable {
    /// Sigma `id` (falls back to `name`, then to the file name).
    public var id: String
    /// Sigma `name`, by which correlations may reference the rule.
    public var name: String?
    public var title: String
    public var level: String
    public var tags: [String]
    public var location: RuleLocation
    /// Sigma `status` (stable, test, experimental, deprecated, unsupported), for `--status`.
    public var status: String?
    /// Sigma `logsource`, which the pipelines route on.
    public var logsource: RuleLogsource

    public init(id: String, name: String?, title: String, level: String, tags: [String], location: RuleLocation,
                status: String? = nil, logsource: RuleLogsource = RuleLogsource()) {
        self.id = id; self.name = name; self.title = title; self.level = level; self.tags = tags; self.location = location
        self.status = status; self.logsource = logsource
    }
}

/// A correlation condition: every bound that is set must hold.
public struct Threshold: Sendable, Equatable {
    public var gt: Double?
    public var gte: Double?
    public var lt: Double?
    public var lte: Double?
    public var eq: Double?
    public var neq: Double?

    public init(gt: Double? = nil, gte: Double? = nil, lt: Double? = nil, lte: Double? = nil, eq: Double? = nil, neq: Double? = nil) {
        self.gt = gt; self.gte = gte; self.lt = lt; self.lte = lte; self.eq = eq; self.neq = neq
    }

    @inline(__always)
    public func holds(_ v: Double) -> Bool {
        if let b = gt, !(v > b) { return false }
        if let b = gte, !(v >= b) { return false }
        if let b = lt, !(v < b) { return false }
        if let b = lte, !(v <= b) { return false }
        if let b = eq, !(v == b) { return false }
        if let b = neq, !(v != b) { return false }
        return true
    }

    /// Only lower bounds: once true within a window it stays true as events are
    /// added, so it may fire at once instead of waiting for the window to close.
    public var isMonotonic: Bool { lt == nil && lte == nil && eq == nil && neq == nil && (gt != nil || gte != nil) }
}

/// How a correlation's `timespan` is applied (docs/windows.md).
public enum WindowKind: Sendable, Equatable {
    /// Sigma's default: at each matching event, the events in `(t - timespan, t]`.
    case sliding
    /// `secstream: {window: tumbling}`: epoch-aligned `[floor(t/span)*span, +span)`.
    case tumbling
    /// `secstream: {window: session, gap: DUR}`: events at most `gap` apart.
    case session(gapMs: Int64)
}

public enum CorrelationKind: String, Sendable {
    case eventCount = "event_count"
    case valueCount = "value_count"
    case valueSum = "value_sum"
    case valueAvg = "value_avg"
    /// The `percentile`-th percentile of the field's values (linear interpolation
    /// between the closest ranks, as numpy and Elasticsearch compute it).
    case valuePercentile = "value_percentile"
    /// The median of the field's values (value_percentile at 50).
    case valueMedian = "value_median"
    case temporal = "temporal"
    case temporalOrdered = "temporal_ordered"
}

/// A reference from a correlation to a rule it consumes.
public enum RuleRef: Sendable, Hashable {
    case detection(Int)
    case correlation(Int)
}

/// How one referenced rule feeds a correlation.
public struct CorrelationInput: Sendable {
    public var source: RuleRef
    /// One entry per `group-by` field of the correlation, in order.
    /// From a detection rule: the event field (after `aliases` and the field map).
    public var groupFields: [FieldRef]
    /// From a correlation rule: for each `group-by` field, the index of the same
    /// value in the source correlation's `groupBy`.
    public var groupIndexes: [Int]
    /// The field aggregated by value_count / value_sum / value_avg (detection sources).
    public var valueField: FieldRef?

    public init(source: RuleRef, groupFields: [FieldRef] = [], groupIndexes: [Int] = [], valueField: FieldRef? = nil) {
        self.source = source; self.groupFields = groupFields; self.groupIndexes = groupIndexes; self.valueField = valueField
    }
}

/// A Sigma correlation rule, resolved against the loaded rule set.
public final class CorrelationRule {
    public let meta: RuleMeta
    public let kind: CorrelationKind
    /// The referenced rules in the order listed (temporal_ordered uses it).
    public let inputs: [CorrelationInput]
    /// `group-by` field names as written; the keys of an alert's `group`.
    public let groupBy: [String]
    public let timespanMs: Int64
    public let window: WindowKind
    public let condition: Threshold
    /// `condition.field` for value_count / value_sum / value_avg.
    public let valueFieldName: String?
    /// Whether firings are written as alerts (false when only another
    /// correlation consumes it and none of those sets `generate: true`).
    public var emitsAlerts: Bool
    /// value_percentile: `condition.percentile` (0...100); value_median: 50.
    public let percentile: Double
    /// `secstream: {new_terms: ...}`: only events whose term is new for their
    /// group are counted. `groupBy` and each input's `groupFields` then end
    /// with the term fields (`newTerms.groupFieldCount` leading ones are the group).
    public let newTerms: NewTermsSpec?
    /// `secstream: {baseline: ...}`: a tumbling window fires when its value
    /// scores at least the threshold against its group's history (`condition` is empty).
    public let baseline: BaselineSpec?

    public init(meta: RuleMeta, kind: CorrelationKind, inputs: [CorrelationInput], groupBy: [String],
                timespanMs: Int64, window: WindowKind, condition: Threshold, valueFieldName: String?,
                emitsAlerts: Bool = true, percentile: Double = 50, newTerms: NewTermsSpec? = nil,
                baseline: BaselineSpec? = nil) {
        self.meta = meta; self.kind = kind; self.inputs = inputs; self.groupBy = groupBy
        self.timespanMs = timespanMs; self.window = window; self.condition = condition
        self.valueFieldName = valueFieldName; self.emitsAlerts = emitsAlerts; self.percentile = percentile
        self.newTerms = newTerms
        self.baseline = baseline
    }
}

/// A Sigma detection rule: a stateless predicate on one event.
public final class DetectionRule {
    public let meta: RuleMeta
    public internal(set) var matcher: DetectionMatcher
    /// The events of the rule's logsource, as the pipelines recognise them
    /// (their `add_condition`s); nil: every event (no pipeline, or no logsource).
    public let route: RuleRoute?
    /// Whether each matching event is written as an alert (false when the rule
    /// only feeds correlations and none of them sets `generate: true`).
    public var emitsAlerts: Bool
    /// The pipelines as they applied to this rule: correlations map their
    /// `group-by` fields through them.
    let pipelines: PipelineApplication?

    public init(meta: RuleMeta, matcher: DetectionMatcher, route: RuleRoute? = nil, emitsAlerts: Bool = true) {
        self.meta = meta; self.matcher = matcher; self.route = route; self.emitsAlerts = emitsAlerts
        self.pipelines = nil
    }

    init(meta: RuleMeta, matcher: DetectionMatcher, route: RuleRoute?, pipelines: PipelineApplication?) {
        self.meta = meta; self.matcher = matcher; self.route = route; self.emitsAlerts = true
        self.pipelines = pipelines
    }
}

/// A logsource as events show it: the AND of the `add_condition`s that
/// applied to a rule. Rules with the same conditions share one route, so an
/// event tests each distinct route once and runs only the rules behind those
/// that hold.
public final class RuleRoute {
    /// The conditions' canonical text: equal keys are the same route.
    public let key: String
    public let matcher: DetectionMatcher

    init(key: String, matcher: DetectionMatcher) { self.key = key; self.matcher = matcher }
}

/// Everything the engine runs: detection rules, correlations (each after the
/// rules it references), and the fields the scanner must extract.
public final class RuleSet {
    public let schema: FieldSchema
    public let timeField: FieldID
    public let detections: [DetectionRule]
    public let correlations: [CorrelationRule]
    /// What a numeric event time counts (a pipeline's `time_unit`).
    public internal(set) var epochUnit = EpochUnit.milliseconds
    /// What the load skipped, left out, or filtered.
    public internal(set) var report = RuleLoadReport()
    /// Where the matchers built from this set keep compiled prefilter
    /// databases between runs (`--rule-cache`); nil: compiled every time.
    public var prefilterCache: PrefilterCache?

    public init(schema: FieldSchema, timeField: FieldID, detections: [DetectionRule], correlations: [CorrelationRule]) {
        self.schema = schema; self.timeField = timeField; self.detections = detections; self.correlations = correlations
    }
}
