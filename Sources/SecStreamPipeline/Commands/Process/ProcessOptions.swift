import Metrics
import SecStreamCore

/// What `secstream process` was asked to do, as typed values: the CLI parses
/// each flag once (`Options/`), and `validate()`, which the runner calls
/// first, checks the ranges and the flags that exclude each other, so every
/// bad value is one usage error (exit 2) naming its flag.
public struct ProcessOptions {
    /// `--input` (repeatable): files read one after the other (followed
    /// together with `follow` or `untilIdle`), or one Kafka topic. Default: stdin.
    public var inputs: [InputURI] = [.stdin]
    /// The rules, their selection and the engine's event-time settings.
    public var rules = RulesConfiguration()
    /// Alerts, dead letters, `--fail-on-alert`.
    public var outputs = OutputsConfiguration()
    /// `--archive` and its settings; nil: no archive.
    public var archive: ArchiveConfiguration?
    /// `--idle-timeout`: a Kafka partition or followed file that delivered
    /// nothing for this long (wall clock) stops holding back the watermark;
    /// 0 = never. Default: 10s.
    public var idleTimeout = TimeSpan.seconds(10)
    /// `--from-beginning`: Kafka, start at the earliest offset when the group
    /// has none committed. Default: false, the latest.
    public var fromBeginning = false
    /// `--until-idle`: follow the inputs and stop after nothing new arrived
    /// for this long. Default: nil.
    public var untilIdle: TimeSpan?
    /// `--follow`: follow the inputs until SIGINT/SIGTERM. Default: false.
    public var follow = false
    /// `--ready-file PATH`: readiness events as JSON lines (`ReadinessReporter`). Default: none.
    public var readyFile: String?
    /// TLS and SASL of every Kafka client of the run.
    public var kafka = KafkaClientOptions()
    /// `--session-timeout`: Kafka consumer group, a member silent this long is
    /// removed; `sessionTimeoutRange`. Default: 10s.
    public var sessionTimeout = TimeSpan.seconds(10)
    /// `--commit-interval`: Kafka consumer group, how often alerts are made
    /// durable and offsets committed. Default: 1s.
    public var commitInterval = TimeSpan.seconds(1)
    /// `--metrics-listen`, `--metrics-file`, `--metrics-interval`, `--metrics-push`. Default: none.
    public var metrics = MetricsSettings()
    /// Print the end-of-run summary on stderr. Default: true.
    public var summary = true
    /// `--progress` (always) / `--quiet` (never): the progress line on stderr.
    /// Default: auto, when stderr is a terminal.
    public var progress = ProgressMode.auto
    /// `--mask`, `--mask-before-detect`.
    public var masking = MaskingConfiguration()
    /// `--model`, `--model-threshold`: a trained model scored on each closed window.
    public var model = ModelConfiguration()

    public init() {}

    /// 1s up to 2147483647ms (24d20h31m): Kafka takes the session timeout,
    /// and the rebalance timeout derived from it, as 32-bit milliseconds.
    public static let sessionTimeoutRange = TimeSpan.seconds(1)...TimeSpan.milliseconds(Int64(Int32.max))

    /// Checks every setting; the first problem is a usage error naming its flag.
    public func validate() throws {
        try rules.validate()
        try masking.validate(geoip: rules.geoip)
        try archive?.validate()
        try metrics.validate()
        try outputs.validate()
        try OptionRange.check(idleTimeout, "--idle-timeout", in: .zero ... .maximum)
        if let untilIdle { try OptionRange.check(untilIdle, "--until-idle", in: .zero ... .maximum) }
        try OptionRange.check(sessionTimeout, "--session-timeout", in: Self.sessionTimeoutRange,
                              because: "Kafka takes it as 32-bit milliseconds, about 24.8 days")
        try OptionRange.check(commitInterval, "--commit-interval", in: .zero ... .maximum)
        if untilIdle != nil && follow { throw RunError(.usage, "--until-idle and --follow are exclusive") }
        if inputs.isEmpty { throw RunError(.usage, "--input: no input given") }
        try model.validate()
        if model.path != nil, case .kafka? = inputs.first {
            throw RunError(.usage, "--model: scores file, stdin and archive (replay) input; a Kafka input cannot use it yet")
        }
        for case .kafka(let uri) in inputs where inputs.count > 1 {
            throw RunError(.usage, "--input \(uri): a Kafka input cannot be mixed with other inputs")
        }
    }
}

/// Shorthands the runners read.
extension ProcessOptions {
    package var alerts: OutputURI { outputs.alerts }
    package var deadLetter: OutputURI? { outputs.deadLetter }
    package var failOnAlert: Bool { outputs.failOnAlert }
    package var threads: Int { rules.threads }
}

extension RuleSetFactory {
    /// The rule set of a `process` run (see `load(_:summary:)`).
    package static func load(_ options: ProcessOptions) throws -> RuleSet {
        // A model alone is a run: `--no-default-rules --model m.json` scores windows with no rules.
        try load(options.rules, summary: options.summary, allowNoRules: options.model.path != nil)
    }
}
