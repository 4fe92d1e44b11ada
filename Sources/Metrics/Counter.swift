/// A monotonically increasing value (`_total`). Two ways to feed it: `add`
/// for things counted here, or `set` to publish a total some component keeps
/// anyway (the engine's counters): copying a number per chunk is cheaper than
/// a second count per event.
public final class Counter: @unchecked Sendable {
    private let registry: MetricRegistry
    private let cell: MetricRegistry.Cell

    public init(_ registry: MetricRegistry, _ name: String, help: String, labels: [String: String] = [:]) {
        self.registry = registry
        cell = registry.cell(name, help: help, kind: .counter, labels: labels)
    }

    public func add(_ amount: Double = 1) {
        registry.withLock { cell.value += amount }
    }

    /// Publishes a total kept elsewhere. Never lowers the value: a counter
    /// that went down would read as a restart to `rate()`.
    public func set(_ total: Double) {
        registry.withLock { if total > cell.value { cell.value = total } }
    }

    public var value: Double { registry.withLock { cell.value } }
}
