import ArgumentParser
import SecStreamPipeline

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic ECS-style NDJSON logs with labelled attacks.",
        discussion: """
        Scenarios: brute-force, password-spray, port-scan, host-sweep, exfiltration, web-scan, \
        dns-tunnel, brute-force-success. The same seed gives the same bytes.
        """
    )

    @Option(help: "Number of events to write.") var events: Int?
    @Option(help: "Event time to cover instead of a count (e.g. 1h).") var duration: String?
    @Option(help: "Pace output at this many events per second in real time (0 = as fast as possible).") var rate: Double = 0
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Event time of the first event (RFC 3339).") var start: String?
    @Option(help: "Event time the run covers (e.g. 6h).") var span: String?
    @Option(help: "Comma-separated scenarios to inject (default: all).") var scenarios: String?
    @Option(name: .customLong("late-fraction"), help: "Fraction of events written out of event-time order.") var lateFraction: Double = 0
    @Option(name: .customLong("max-lateness"), help: "How far behind in event time a late event may be written.") var maxLateness: String = "10s"
    @Option(name: .customLong("malformed-fraction"), help: "Fraction of malformed lines to mix in.") var malformedFraction: Double = 0
    @Option(help: "Write the ground truth (one line per injected attack) to FILE.") var truth: String?
    @Option(name: [.short, .customLong("output")], help: "Output: '-' (stdout), a path, path.gz or path.lz4.") var output: String = "-"

    func run() throws {
        var o = GenerateOptions()
        o.events = events; o.duration = duration; o.rate = rate; o.seed = seed; o.start = start; o.span = span
        o.scenarios = scenarios; o.lateFraction = lateFraction; o.maxLateness = maxLateness
        o.malformedFraction = malformedFraction; o.truth = truth; o.output = output
        try GenerateRunner(options: o).run()
    }
}
