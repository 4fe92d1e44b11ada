/// A located sample event of an alert, with its source resolved to a name.
public enum AlertSample: Sendable, Hashable {
    case file(name: String, line: Int64)
    case partition(topic: String, partition: Int32, offset: Int64)
}

/// A 128-bit deterministic alert id (see `StableHash128`), written as 32 hex digits.
public struct AlertID: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    /// Hash of the rule id, the encoded group key, the window start and, for a
    /// detection rule's own alerts, the event's hash (two events of one rule in
    /// one millisecond are two alerts).
    static func make(ruleID: String, groupKey: UnsafeRawBufferPointer, windowStart: Int64, eventHash: UInt64?) -> AlertID {
        var h = StableHash128()
        h.add(string: ruleID)
        h.add(field: groupKey)
        h.add(int: windowStart)
        if let e = eventHash { h.add(int: Int64(bitPattern: e)) }
        let (a, b) = h.finish()
        return AlertID(high: a, low: b)
    }

    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 32)
        for (w, word) in [high, low].enumerated() {
            for k in 0..<16 { out[w * 16 + k] = digits[Int(word >> UInt64(60 - 4 * k) & 0xF)] }
        }
        return String(decoding: out, as: UTF8.self)
    }
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

    public struct GroupValue: Sendable, Equatable {
        public var field: String
        public var value: String
        public init(field: String, value: String) { self.field = field; self.value = value }
    }

    public init(id: AlertID, ruleID: String, title: String, level: String, tags: [String], group: [GroupValue],
                windowStart: Int64, windowEnd: Int64, value: Double, firstSeen: Int64, lastSeen: Int64,
                detectedAt: Int64, samples: [AlertSample]) {
        self.id = id; self.ruleID = ruleID; self.title = title; self.level = level; self.tags = tags
        self.group = group; self.windowStart = windowStart; self.windowEnd = windowEnd; self.value = value
        self.firstSeen = firstSeen; self.lastSeen = lastSeen; self.detectedAt = detectedAt; self.samples = samples
    }
}

/// Where the engine delivers alerts, in their deterministic order. Called on
/// the engine thread; the pipeline's implementation encodes and writes them.
public protocol AlertSink: AnyObject {
    func emit(_ alert: Alert)
}
