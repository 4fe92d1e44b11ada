/// Observations into fixed buckets (`_bucket{le=...}`, `_sum`, `_count`),
/// for request latencies in seconds. Bucket counts are kept per bucket and
/// made cumulative only when read, so an observation touches one slot.
public final class Histogram: @unchecked Sendable {
    /// Request latencies, 1 ms to 30 s: Kafka fetches long-poll up to their
    /// max wait, S3 multipart parts can take seconds.
    public static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private let registry: MetricRegistry
    private let cell: MetricRegistry.Cell
    private let bounds: [Double]

    public init(_ registry: MetricRegistry, _ name: String, help: String, labels: [String: String] = [:],
                buckets: [Double] = Histogram.latencyBuckets) {
        precondition(buckets == buckets.sorted() && !buckets.isEmpty, "\(name): buckets must be sorted")
        let names = labels.keys.sorted()
        self.registry = registry
        let family = registry.family(name, help: help, kind: .histogram, labelNames: names, bounds: buckets)
        bounds = family.bounds
        cell = registry.cell(family, names.map { labels[$0]! })
    }

    public func observe(_ value: Double) {
        // The first bound at or above the value; past the last, only +Inf (the count).
        var i = 0
        while i < bounds.count && value > bounds[i] { i += 1 }
        registry.withLock {
            if i < bounds.count { cell.bucketCounts[i] += 1 }
            cell.sum += value
            cell.count += 1
        }
    }
}
