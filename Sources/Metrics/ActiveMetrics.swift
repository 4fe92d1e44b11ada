import Foundation

/// The registry of the run in progress, or nil when the run exports no
/// metrics. Kafka connections and S3 requests are made deep inside their
/// libraries (consumer sessions, producer senders, upload pools); threading a
/// registry through every configuration would touch all of them for what is
/// one process-wide fact, as Prometheus client libraries' default registry is.
/// Read once per request, never per event.
public enum ActiveMetrics {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: MetricRegistry?

    public static var registry: MetricRegistry? {
        get { lock.lock(); defer { lock.unlock() }; return current }
        set { lock.lock(); current = newValue; lock.unlock() }
    }

    /// Clears the registry unless another run's has replaced it since.
    public static func clear(ifStill registry: MetricRegistry) {
        lock.lock(); defer { lock.unlock() }
        if current === registry { current = nil }
    }
}
