/// How the engine turns arrival into event-time order (docs/windows.md).
public struct EngineOptions: Sendable {
    /// How far behind the largest event time seen an event may arrive and still
    /// count (`--lateness`). 0 = evaluate in arrival order, nothing is late.
    public var latenessMs: Int64
    /// Wall-clock time after which an input with no events stops holding the
    /// watermark back (`--idle-timeout`). 0 = inputs never go idle.
    public var idleTimeoutMs: Int64
    /// How far ahead of its input's accepted event time an event may be and
    /// still be admitted at once (`--max-future-skew`); further ahead it is
    /// held aside (`FutureGate`). 0 = no gate: every event moves the watermark.
    public var maxFutureSkewMs: Int64
    /// How many held events of one input it takes to accept a jump in time
    /// (and to judge an input's first events): forging fewer moves nothing.
    public var futureQuorum: Int
    /// Bytes the window state and reorder buffer may take (`--max-state`); past
    /// it the least recently updated windows are dropped. 0 = no bound.
    public var maxStateBytes: Int

    public init(latenessMs: Int64 = 30_000, idleTimeoutMs: Int64 = 60_000,
                maxFutureSkewMs: Int64 = 0, futureQuorum: Int = 8, maxStateBytes: Int = 0) {
        self.latenessMs = latenessMs
        self.idleTimeoutMs = idleTimeoutMs
        self.maxFutureSkewMs = max(0, maxFutureSkewMs)
        self.futureQuorum = max(1, futureQuorum)
        self.maxStateBytes = max(0, maxStateBytes)
    }
}
