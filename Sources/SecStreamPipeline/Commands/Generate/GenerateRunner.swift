import Codecs
import SecStreamCore

/// `secstream generate`: the generator's bytes to the output sink (stdout or a
/// file, compressed by extension), and its ground truth to `--truth`.
public struct GenerateRunner {
    public let options: GenerateOptions

    public init(options: GenerateOptions) { self.options = options }

    public func run() throws {
        let config = try makeConfig()
        let generator: Generator
        do { generator = try Generator(config: config) } catch {
            throw RunError(.usage, "\(error)")
        }
        let out = try openSink(options.output)
        let report = try generator.run { bytes in try out.write(bytes) }
        try out.close()
        if let truth = options.truth {
            let sink = try openSink(truth)
            try sink.write(report.truthNDJSON)
            try sink.close()
        }
    }

    private func makeConfig() throws -> GeneratorConfig {
        var c = GeneratorConfig()
        c.events = options.events
        if let d = options.duration { c.durationMs = try OptionParsing.duration(d, flag: "--duration") }
        c.rate = options.rate
        c.seed = options.seed
        if let s = options.start { c.startMs = try OptionParsing.time(s, flag: "--start") }
        if let s = options.span { c.spanMs = try OptionParsing.duration(s, flag: "--span") }
        if let list = options.scenarios {
            do { c.scenarios = try Scenario.parseList(list) } catch { throw RunError(.usage, "--scenarios: \(error)") }
        }
        c.lateFraction = options.lateFraction
        c.maxLatenessMs = try OptionParsing.duration(options.maxLateness, flag: "--max-lateness")
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
