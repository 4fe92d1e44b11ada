import Codecs
import SecStreamCore

/// `secstream generate`: the generator's bytes to the output sink (stdout or a
/// file, compressed by extension), and its ground truth to `--truth`.
public struct GenerateRunner {
    public let options: GenerateOptions

    public init(options: GenerateOptions) { self.options = options }

    public func run() throws {
        try options.validate()
        let config = makeConfig()
        let generator: Generator
        do { generator = try Generator(config: config) } catch {
            throw RunError(.usage, "\(error)")
        }
        let out = try openSink(options.output.description)
        let progress = ProgressLine("generate", unit: .events, total: Int64(config.resolvedEvents()), mode: options.progress)
        let report = try generator.run(written: { progress.report(done: Int64($0)) }) { bytes in try out.write(bytes) }
        progress.clear()
        try out.close()
        for (uri, text) in [(options.truth, report.truthNDJSON), (options.decoys, report.decoysNDJSON)] {
            guard let uri else { continue }
            let sink = try openSink(uri.description)
            try sink.write(text)
            try sink.close()
        }
    }

    private func makeConfig() -> GeneratorConfig {
        var c = GeneratorConfig()
        c.events = options.events
        c.durationMs = options.duration?.milliseconds
        c.rate = options.rate
        c.seed = options.seed
        if let start = options.start { c.startMs = start.milliseconds }
        c.spanMs = options.span?.milliseconds
        c.profile = options.profile
        let (threshold, learned) = options.scenarios?.resolved(for: options.profile) ?? ScenarioSelection.defaults(for: options.profile)
        c.scenarios = threshold
        c.learnedScenarios = learned
        c.lateFraction = options.lateFraction
        c.maxLatenessMs = options.maxLateness.milliseconds
        c.malformedFraction = options.malformedFraction
        return c
    }
}

/// Opens an NDJSON output (`-` for stdout; `.gz`/`.lz4` compress), mapping
/// failures to an input/output error naming the path.
func openSink(_ uri: String) throws -> ByteSink {
    do { return try openOutputSink(uri) } catch {
        throw RunError(.input, "cannot open \(uri) for writing: \(error)")
    }
}
