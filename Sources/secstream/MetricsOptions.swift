import ArgumentParser
import Metrics
import SecStreamPipeline

/// Where a run's Prometheus metrics go; shared by `process`, `replay`,
/// `ingest` and `query`. The outlets themselves live in the `Metrics` library.
struct MetricsOptions: ParsableArguments {
    @Option(name: .customLong("metrics-listen"), help: ArgumentHelp("Serve Prometheus metrics at http://HOST:PORT/metrics during the run (port 0: any free port, printed on stderr).", valueName: "host:port"))
    var listen: ListenAddress?
    @Option(name: .customLong("metrics-file"), help: ArgumentHelp("Write the metrics in node_exporter's textfile format (atomically) every --metrics-interval and at the end.", valueName: "path"))
    var file: String?
    @Option(name: .customLong("metrics-interval"), help: ArgumentHelp("How often --metrics-file is rewritten during the run.", valueName: "duration"))
    var interval = TimeSpan.seconds(15)
    @Option(name: .customLong("metrics-push"), help: ArgumentHelp("At the end of the run, PUT the metrics to this Prometheus Pushgateway (job secstream, instance the host name).", valueName: "url"))
    var push: String?

    var settings: MetricsSettings {
        MetricsSettings(listen: listen, file: file, intervalSeconds: Double(interval.milliseconds) / 1000, push: push)
    }
}
