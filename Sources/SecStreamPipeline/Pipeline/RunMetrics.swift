import Foundation
import Metrics
import SecStreamCore

/// The version `secstream --version` prints and `secstream_build_info` carries.
public enum SecStreamVersion {
    public static let current = "0.1.0"
}

/// A run's metrics, when any outlet was asked for: the exporter (server,
/// textfile, push) started before the run reads anything, and finished after
/// its last write. Every command (`process`, `replay`, `ingest`, `query`)
/// goes through here, so the outlets behave the same everywhere.
package final class RunMetrics {
    package let exporter: MetricsExporter
    package var registry: MetricRegistry { exporter.registry }

    /// Nil when no `--metrics-*` outlet is set: the run then keeps no registry at all.
    /// A listener that cannot bind or a malformed push URL is a usage error (exit 2).
    package static func start(_ settings: MetricsSettings) throws -> RunMetrics? {
        guard settings.isEnabled else { return nil }
        do {
            let exporter = try MetricsExporter(settings: settings, version: SecStreamVersion.current)
            try exporter.start()
            return RunMetrics(exporter: exporter)
        } catch let error as MetricsError {
            throw RunError(.usage, error.description)
        }
    }

    private init(exporter: MetricsExporter) { self.exporter = exporter }

    /// The last textfile write and the push. A Pushgateway that cannot be
    /// reached is a remote failure (exit 4); an unwritable file an input/output one (3).
    package func finish() throws {
        do { try exporter.finish() } catch let error as MetricsError {
            throw RunError(error.description.hasPrefix("--metrics-push") ? .remote : .input, error.description)
        }
    }

    /// The run failed: ends the server and the periodic writes, and leaves
    /// what it counted in the file and at the gateway (best effort).
    package func stop() { exporter.abandon() }
}

extension MetricsSettings {
    /// `--metrics-interval` must be positive.
    package func validate() throws {
        guard intervalSeconds > 0 else { throw RunError(.usage, "--metrics-interval must be positive") }
    }
}
