/// A value that goes up and down (state size, lag, watermark).
public final class Gauge: @unchecked Sendable {
    private let registry: MetricRegistry
    private let cell: MetricRegistry.Cell

    public init(_ registry: MetricRegistry, _ name: String, help: String, labels: [String: String] = [:]) {
        let names = labels.keys.sorted()
        self.registry = registry
        let family = registry.family(name, help: help, kind: .gauge, labelNames: names)
        cell = registry.cell(family, names.map { labels[$0]! })
    }

    public func set(_ value: Double) { registry.withLock { cell.value = value } }

    public var value: Double { registry.withLock { cell.value } }
}
