/// A located sample event of an alert, with its source resolved to a name.
public enum AlertSample: Sendable, Hashable {
    case file(name: String, line: Int64)
    case partition(topic: String, partition: Int32, offset: Int64)
}

/// One alert, as written to the alerts destination (see `AlertEncoder`).
public struct Alert: Sendable, Equatable {
    public var id: AlertID
    public var ruleID: String
    public var title: String
    public var level: String
    public var tags: [String]
    /// `group-by` field name and value, in the rule's order.
    public var group: [GroupValue]
    /// Epoch milliseconds. Sliding: first event that took part ... the firing event.
    /// Tumbling: the bucket `[start, end)`. Session: first event ... last + gap.
    public var windowStart: Int64
    public var windowEnd: Int64
    /// The count, distinct count, sum or average at firing (temporal: rules matched).
    public var value: Double
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// The event time at which the rule fired (never wall-clock time).
    public var detectedAt: Int64
    /// Up to five events that took part, oldest first.
    public var samples: [AlertSample]
    /// A baseline correlation's score of the window against its group's history.
    public var baseline: BaselineScore?
    /// A model's alert (`process --model`): the features that contributed
    /// most to its score, largest first (empty for rules: not written).
    public var features: [AlertFeature] = []

    /// One feature of a model's alert: its value in the window and its
    /// contribution to the score's margin.
    public struct AlertFeature: Sendable, Equatable {
        public var name: String
        public var value: Double
        public var contribution: Double
        public init(name: String, value: Double, contribution: Double) {
            self.name = name; self.value = value; self.contribution = contribution
        }
    }

    public struct GroupValue: Sendable, Equatable {
        public var field: String
        public var value: String
        public init(field: String, value: String) { self.field = field; self.value = value }
    }

    public init(id: AlertID, ruleID: String, title: String, level: String, tags: [String], group: [GroupValue],
                windowStart: Int64, windowEnd: Int64, value: Double, firstSeen: Int64, lastSeen: Int64,
                detectedAt: Int64, samples: [AlertSample], baseline: BaselineScore? = nil) {
        self.id = id; self.ruleID = ruleID; self.title = title; self.level = level; self.tags = tags
        self.group = group; self.windowStart = windowStart; self.windowEnd = windowEnd; self.value = value
        self.firstSeen = firstSeen; self.lastSeen = lastSeen; self.detectedAt = detectedAt; self.samples = samples
        self.baseline = baseline
    }
}
