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
        if case .kafka(let uri)? = options.inputs.first {
            // `--ready-file`, opened once the options are known to be valid.
            let ready = try options.readyFile.map { try ReadinessReporter(path: $0) }
            return try KafkaProcessRunner(options: options, uri: uri, engineOptions: engineOptions, ready: ready).run()
        }
        return try FileProcessRunner(options: options, engineOptions: engineOptions).run()
    }
}
