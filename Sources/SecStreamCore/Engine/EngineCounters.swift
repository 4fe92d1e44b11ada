/// What the engine has done so far, for the run summary and metrics.
public struct EngineCounters: Sendable, Equatable {
    /// Valid events admitted on time (matched or not).
    public var eventsAdmitted: Int = 0
    /// Events older than the watermark on arrival (dead-lettered by the caller).
    public var lateEvents: Int = 0
    /// Events held aside for good as too far in the future (dead-lettered by the caller).
    public var futureEvents: Int = 0
    /// Events held aside right now (`FutureGate`).
    public var heldEvents: Int = 0
    /// Match records accepted into the reorder buffer.
    public var matches: Int = 0
    /// Alerts delivered to the sink.
    public var alerts: Int = 0
    /// Open windows dropped to stay under `--max-state`.
    public var evictedWindows: Int = 0
    /// The state's size at the last check against `--max-state` (bytes, estimated).
    public var stateBytes: Int = 0
    /// (correlation, group) windows currently holding state.
    public var openGroups: Int = 0
    /// Match records waiting in the reorder buffer for the watermark.
    public var pendingMatches: Int = 0
    /// new_terms rules: groups and terms remembered now.
    public var newTermsGroups: Int = 0
    public var newTermsTerms: Int = 0
    /// new_terms rules: groups whose history was dropped to stay under `--max-state`.
    public var newTermsEvictedGroups: Int = 0
    /// new_terms rules: terms forgotten because their group held `max_terms`.
    public var newTermsEvictedTerms: Int = 0
    /// baseline rules: groups whose window history is remembered now.
    public var baselineGroups: Int = 0
    /// baseline rules: groups whose history was dropped to stay under `--max-state`.
    public var baselineEvictedGroups: Int = 0
    /// baseline rules: windows not after their group's last learned one
    /// (events older than a loaded baseline file), neither scored nor learned.
    public var baselineStaleWindows: Int = 0
}
