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
    /// Near misses that must not alert (not part of `--truth`).
    public var decoys: [TruthRecord] = []

    public var truthNDJSON: String { truth.map(\.ndjsonLine).joined() }
    public var decoysNDJSON: String { decoys.map(\.ndjsonLine).joined() }
}
