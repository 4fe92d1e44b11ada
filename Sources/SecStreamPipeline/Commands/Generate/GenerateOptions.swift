import SecStreamCore

/// What `secstream generate` was asked to do, as typed values (the CLI parses
/// each flag once); `validate()` checks the ranges that would overflow the
/// generator's arithmetic, and `GeneratorConfig.validate` the rest.
public struct GenerateOptions {
    /// `--events`: valid events to write; `eventsRange`. Default: nil, from
    /// `duration` and `rate`, else 100000.
    public var events: Int?
    /// `--duration`: event time to cover instead of a count. Default: nil.
    public var duration: TimeSpan?
    /// `--rate`: lines per second of wall-clock time; 0 = as fast as
    /// possible, else within `rateRange`. Default: 0.
    public var rate: Double = 0
    /// `--seed`: the same seed gives the same bytes. Default: 1.
    public var seed: UInt64 = 1
    /// `--start`: event time of the first event. Default: nil, 2026-11-20T00:00:00Z.
    public var start: Timestamp?
    /// `--span`: event time the run covers. Default: nil, from the duration or event count.
    public var span: TimeSpan?
    /// `--scenarios`: the attacks to inject. Default: nil, every threshold
    /// scenario (`--profile uniform`) or every learned one (`habits`).
    public var scenarios: ScenarioSelection?
    /// `--profile`: ordinary traffic, uniform or with per-entity habits. Default: uniform.
    public var profile = TrafficProfile.uniform
    /// `--late-fraction`: share of events written out of event-time order (0-0.5). Default: 0.
    public var lateFraction: Double = 0
    /// `--max-lateness`: how far behind in event time a late event may be written. Default: 10s.
    public var maxLateness = TimeSpan.seconds(10)
    /// `--malformed-fraction`: share of malformed lines (0-0.5). Default: 0.
    public var malformedFraction: Double = 0
    /// `--truth`: where the ground truth goes (one line per injected attack). Default: nil, nowhere.
    public var truth: OutputURI?
    /// `--decoys`: where the decoys go (one line per near miss or learned
    /// decoy, with its `"decoy"` kind). Default: nil, nowhere.
    public var decoys: OutputURI?
    /// `--output`: where the events go. Default: stdout.
    public var output = OutputURI.stdout
    /// `--progress` (always) / `--quiet` (never): the progress line on stderr.
    /// Default: auto, when stderr is a terminal.
    public var progress = ProgressMode.auto

    public init() {}

    /// Up to 10^12 events: the generator's event-time arithmetic stays inside `Int64`.
    public static let eventsRange = 0...1_000_000_000_000
    /// 0.001 (a line per 1000 seconds) to 10^9 lines per second: the pacing
    /// deadline stays inside `UInt64` nanoseconds, and the line count of a
    /// `duration` run inside `Int`.
    public static let rateRange = 0.001...1e9

    /// Checks the ranges; the first problem is a usage error naming its flag.
    public func validate() throws {
        if let events { try OptionRange.check(events, "--events", in: Self.eventsRange) }
        if let duration { try OptionRange.check(duration, "--duration", in: .zero ... .maximum) }
        if let span { try OptionRange.check(span, "--span", in: .zero ... .maximum) }
        try OptionRange.check(maxLateness, "--max-lateness", in: .zero ... .maximum)
        if rate != 0 && !(rate >= Self.rateRange.lowerBound && rate <= Self.rateRange.upperBound) {
            throw OptionValueError("\(rate)", "not 0 or a rate from 0.001 to 1000000000 lines per second").usage("--rate")
        }
        for (flag, uri) in [("--output", output), ("--truth", truth), ("--decoys", decoys)] {
            if case .kafka(let topic)? = uri {
                throw OptionValueError(topic.description, "not '-' or a file: generate writes NDJSON, which `secstream ingest` sends to Kafka").usage(flag)
            }
        }
    }
}
