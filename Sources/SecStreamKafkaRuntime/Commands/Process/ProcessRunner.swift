import SecStreamCore
import SecStreamPipeline

/// `secstream process`: validates the options and runs them over Kafka
/// (`KafkaProcessRunner`, this target) or over files and stdin
/// (`FileProcessRunner`, `SecStreamPipeline`). The choice lives here, the one
/// place that sees both runners, so the pipeline never depends on the Kafka
/// runtime and the CLI makes one call.
public final class ProcessRunner {
    public let options: ProcessOptions

    public init(options: ProcessOptions) { self.options = options }

    /// Returns the exit code (0, or 1 with --fail-on-alert and alerts written).
    public func run() throws -> Int32 {
        try options.validate()
        let engineOptions = EngineOptions(options.rules, idleTimeout: options.idleTimeout)
        // Started before the run reads anything, so a long run can be watched from its start.
        let metrics = try RunMetrics.start(options.metrics)
        defer { metrics?.stop() }
        let code: Int32
        if case .kafka(let uri)? = options.inputs.first {
            // `--ready-file`, opened once the options are known to be valid.
            let ready = try options.readyFile.map { try ReadinessReporter(path: $0) }
            code = try KafkaProcessRunner(options: options, uri: uri, engineOptions: engineOptions, ready: ready,
                                          metrics: metrics).run()
        } else {
            code = try FileProcessRunner(options: options, engineOptions: engineOptions, metrics: metrics).run()
        }
        try metrics?.finish()
        return code
    }
}
