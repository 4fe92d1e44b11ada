/// A value that goes up and down (state size, lag, watermark).
public final class Gauge: @unchecked Sendable {
    private let registry: MetricRegistry
    private let cell: MetricRegistry.Cell

    public init(_ registry: MetricRegistry, _ name: String, help: String, labels: [String: String] = [:]) {
        self.registry = registry
        cell = registry.cell(name, help: help, kind: .gauge, labels: labels)
    }

    public func set(_ value: Double) { registry.withLock { cell.value = value } }

    public var value: Double { registry.withLock { cell.value } }
}
