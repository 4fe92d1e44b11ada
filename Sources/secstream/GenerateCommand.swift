import ArgumentParser
import SecStreamCore
import SecStreamPipeline

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic ECS-style NDJSON logs with labelled attacks.",
        discussion: """
        Scenarios: brute-force, password-spray, port-scan, host-sweep, exfiltration, web-scan, \
        dns-tunnel, brute-force-success; with --profile habits also slow-brute-force, new-source-login, \
        off-hours-exfiltration (decoys new-user, monday-peak in --decoys). The same seed gives the same bytes.
        """
    )

    @Option(help: "Number of events to write (at most 10^12).") var events: Int?
    @Option(help: ArgumentHelp("Event time to cover instead of a count (e.g. 1h).", valueName: "duration"))
    var duration: TimeSpan?
    @Option(help: "Pace output at this many events per second in real time (0 = as fast as possible; else 0.001 to 10^9).") var rate: Double = 0
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Event time of the first event (RFC 3339).", valueName: "time"))
    var start: Timestamp?
    @Option(help: ArgumentHelp("Event time the run covers (e.g. 6h).", valueName: "duration"))
    var span: TimeSpan?
    @Option(help: ArgumentHelp("Comma-separated scenarios to inject (default: the profile's: all threshold scenarios, or with habits the learned ones).", valueName: "scenarios"))
    var scenarios: ScenarioList?
    @Option(help: ArgumentHelp("Ordinary traffic: uniform, or habits (per-user addresses and hours, per-host volumes over a work week; default rate 1 event/s).", valueName: "profile"))
    var profile = TrafficProfile.uniform
    @Option(name: .customLong("late-fraction"), help: "Fraction of events written out of event-time order.") var lateFraction: Double = 0
    @Option(name: .customLong("max-lateness"), help: ArgumentHelp("How far behind in event time a late event may be written.", valueName: "duration"))
    var maxLateness = GenerateOptions().maxLateness
    @Option(name: .customLong("malformed-fraction"), help: "Fraction of malformed lines to mix in.") var malformedFraction: Double = 0
    @Option(help: ArgumentHelp("Write the ground truth (one line per injected attack) to FILE.", valueName: "file"))
    var truth: OutputURI?
    @Option(help: ArgumentHelp("Write the decoys (near misses that must not alert, with their \"decoy\" kind) to FILE.", valueName: "file"))
    var decoys: OutputURI?
    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output: '-' (stdout), a path, path.gz or path.lz4.", valueName: "output"))
    var output = OutputURI.stdout

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        var o = GenerateOptions()
        o.progress = progress.mode
        o.events = events; o.duration = duration; o.rate = rate; o.seed = seed; o.start = start; o.span = span
        o.scenarios = scenarios?.selection; o.profile = profile; o.decoys = decoys; o.lateFraction = lateFraction; o.maxLateness = maxLateness
        o.malformedFraction = malformedFraction; o.truth = truth; o.output = output
        try GenerateRunner(options: o).run()
    }
}
