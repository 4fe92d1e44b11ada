/// A family as it is at one instant: what the exposition formats render.
/// The registry copies its state into snapshots under its lock, so rendering
/// and writing to a socket or file happen outside it and never stall the
/// threads that update metrics.
public struct MetricFamilySnapshot: Sendable {
    public var name: String
    public var help: String
    public var kind: MetricKind
    public var series: [Series]

    public struct Series: Sendable {
        public var labels: Labels
        /// Counter or gauge value.
        public var value: Double
        /// Histograms: cumulative counts per upper bound (`+Inf` last), sum and count.
        public var buckets: [(upperBound: Double, count: UInt64)]
        public var sum: Double
        public var count: UInt64
        /// Unix seconds the series was first set (OpenMetrics `_created`), nil when unknown.
        public var created: Double?

        public init(labels: Labels, value: Double = 0, buckets: [(upperBound: Double, count: UInt64)] = [],
                    sum: Double = 0, count: UInt64 = 0, created: Double? = nil) {
            self.labels = labels; self.value = value; self.buckets = buckets
            self.sum = sum; self.count = count; self.created = created
        }
    }

    public init(name: String, help: String, kind: MetricKind, series: [Series]) {
        self.name = name; self.help = help; self.kind = kind; self.series = series
    }
}
