/// One alert the built-in pack must raise on the generated stream (or, for a
/// decoy, one near miss it must not raise).
public struct TruthRecord: Sendable, Equatable {
    public var scenario: Scenario
    /// Id of the correlation rule that must (or, for a decoy, must not) fire.
    public var ruleID: String
    /// The group-by field and value of the expected alert.
    public var groupField: String
    public var groupValue: String
    /// Event times of the first and last events of the episode: the alert's
    /// events all lie in this span.
    public var windowStartMs: Int64
    public var windowEndMs: Int64
    /// Number of events injected for this record.
    public var events: Int
    /// For decoys: which near miss this is (`below-threshold`, …); nil for attacks.
    public var decoy: String?

    /// One NDJSON line:
    /// `{"scenario":…,"rule":…,"group":{…},"window":{"start":…,"end":…},"events":N}`
    /// plus `"decoy":"<kind>"` for decoys. Every value is an identifier, an
    /// address or a time, so nothing needs escaping.
    public var ndjsonLine: String {
        var s = "{\"scenario\":\"\(scenario.rawValue)\",\"rule\":\"\(ruleID)\","
        s += "\"group\":{\"\(groupField)\":\"\(groupValue)\"},"
        s += "\"window\":{\"start\":\"\(RFC3339.string(windowStartMs))\",\"end\":\"\(RFC3339.string(windowEndMs))\"},"
        s += "\"events\":\(events)"
        if let d = decoy { s += ",\"decoy\":\"\(d)\"" }
        return s + "}\n"
    }
}

/// What a run produced besides the event stream.
public struct GenerationReport: Sendable {
    /// Valid events written (background + attacks + decoys).
    public var events = 0
    /// Malformed lines written in addition to `events`.
    public var malformedLines = 0
    /// Events held back and written late (by up to max-lateness of event
    /// time; at low density a held event may find nothing newer to trail).
    public var lateEvents = 0
    /// First and last event time of the run.
    public var startMs: Int64 = 0
    public var spanMs: Int64 = 0
    /// Expected alerts, in time order (`--truth`).
    public var truth: [TruthRecord] = []
    /// Near misses that must not alert (not part of `--truth`; `--decoys`).
    public var decoys: [TruthRecord] = []
    /// Episodes of the learned scenarios (`--profile habits`), in time order.
    public var learnedTruth: [LearnedTruthRecord] = []
    /// Their decoys (new users, Monday peaks), in time order.
    public var learnedDecoys: [LearnedTruthRecord] = []

    /// `--truth`: the threshold scenarios' lines, then the learned ones'.
    public var truthNDJSON: String { truth.map(\.ndjsonLine).joined() + learnedTruth.map(\.ndjsonLine).joined() }
    /// `--decoys`: every decoy, each line with its `"decoy"` kind.
    public var decoysNDJSON: String { decoys.map(\.ndjsonLine).joined() + learnedDecoys.map(\.ndjsonLine).joined() }
}

/// One field of an entity named in the truth (`user.name` = `asmith`).
public struct TruthField: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) { self.name = name; self.value = value }
}

/// One episode of a learned scenario, or one of its decoys: the entity it
/// is about and when. It names no rule: no built-in rule catches it (that is
/// the point); which method should is the evaluation's question.
public struct LearnedTruthRecord: Sendable, Equatable {
    public var scenario: LearnedScenario
    /// The entity: `user.name` and the attacker's `source.ip` (slow-brute-force,
    /// new-source-login), the user alone (new-user), or the workstation's
    /// `source.ip` (off-hours-exfiltration, monday-peak). An alert is about
    /// this entity when its group agrees on every field both hold.
    public var group: [TruthField]
    /// Event times of the episode's first and last events.
    public var windowStartMs: Int64
    public var windowEndMs: Int64
    public var events: Int
    /// For decoys: `new-user` or `monday-peak`; nil for attacks.
    public var decoy: String?

    /// `{"scenario":…,"group":{…},"window":{"start":…,"end":…},"events":N}`
    /// plus `"decoy":"<kind>"`. Values are user names, addresses and times,
    /// none needing escapes.
    public var ndjsonLine: String {
        var s = "{\"scenario\":\"\(scenario.rawValue)\",\"group\":{"
        s += group.map { "\"\($0.name)\":\"\($0.value)\"" }.joined(separator: ",")
        s += "},\"window\":{\"start\":\"\(RFC3339.string(windowStartMs))\",\"end\":\"\(RFC3339.string(windowEndMs))\"},"
        s += "\"events\":\(events)"
        if let d = decoy { s += ",\"decoy\":\"\(d)\"" }
        return s + "}\n"
    }
}
