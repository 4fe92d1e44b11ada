/// How the engine turns arrival into event-time order (SPEC.md "Engine semantics").
public struct EngineOptions: Sendable {
    /// How far behind the largest event time seen an event may arrive and still
    /// count (`--lateness`). 0 = evaluate in arrival order, nothing is late.
    public var latenessMs: Int64
    /// Wall-clock time after which an input with no events stops holding the
    /// watermark back (`--idle-timeout`). 0 = inputs never go idle.
    public var idleTimeoutMs: Int64
    /// Restart after a crash (Kafka exactly-once): alerts that fire at or before
    /// this event time were already written; state is rebuilt but they are not emitted.
    public var suppressAlertsAtOrBefore: Int64?

    public init(latenessMs: Int64 = 30_000, idleTimeoutMs: Int64 = 60_000, suppressAlertsAtOrBefore: Int64? = nil) {
        self.latenessMs = latenessMs
        self.idleTimeoutMs = idleTimeoutMs
        self.suppressAlertsAtOrBefore = suppressAlertsAtOrBefore
    }
}
