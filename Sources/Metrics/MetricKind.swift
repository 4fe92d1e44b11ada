/// The three metric types secstream exposes. Summaries and info/stateset types
/// are left out on purpose: histograms aggregate across instances in PromQL
/// (`histogram_quantile`), summaries do not, and `_info` is a gauge of 1 by
/// Prometheus convention (`secstream_build_info`).
public enum MetricKind: String, Sendable {
    case counter
    case gauge
    case histogram
}
