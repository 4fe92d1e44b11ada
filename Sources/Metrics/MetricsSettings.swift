/// Where a run's metrics go (`--metrics-listen`, `--metrics-file`,
/// `--metrics-interval`, `--metrics-push`); all nil: nowhere, and the run
/// keeps no registry at all.
public struct MetricsSettings: Sendable, Equatable {
    public var listen: ListenAddress?
    public var file: String?
    /// How often `--metrics-file` is rewritten during a run (seconds).
    public var intervalSeconds: Double = 15
    public var push: String?

    public init(listen: ListenAddress? = nil, file: String? = nil, intervalSeconds: Double = 15, push: String? = nil) {
        self.listen = listen; self.file = file; self.intervalSeconds = intervalSeconds; self.push = push
    }

    public var isEnabled: Bool { listen != nil || file != nil || push != nil }
}
