import SecStreamCore

/// What a run detects with and how it orders events in time: the rules, the
/// processing pipelines that map them onto events, the selection, and the
/// engine's event-time settings. Shared by `process` and `replay` (the
/// CLI's `RuleOptions` group). `validate()` checks the ranges.
public struct RulesConfiguration {
    /// `--rules PATH` (repeatable): Sigma rule files or directories.
    /// Default: none, the built-in pack only.
    public var rulePaths: [String] = []
    /// Load the built-in rule pack (`--no-default-rules` turns it off). Default: true.
    public var defaultRules = true
    /// `--pipeline NAME|FILE` (repeatable, applied by priority): built-in
    /// pipelines or pySigma YAML files. Default: empty, which means `ecs`.
    public var pipelines: [String] = []
    /// `--field-map FILE`: YAML map from Sigma fields to event fields,
    /// applied after the pipelines. Default: none.
    public var fieldMap: String?
    /// `--placeholders FILE`: YAML `name: [values]` for `|expand`. Default: none.
    public var placeholders: String?
    /// `--strict`: a skipped rule is an error (exit 3). Default: false.
    public var strict = false
    /// `--min-level`, `--status`, `--tags`: which rules run. Default: all of them.
    public var selection = RuleSelection()
    /// `--exclude-rules FILE|ID` (repeatable): ids or names to leave out;
    /// files list them one per line. Default: none.
    public var excludeRules: [String] = []
    /// `--time-field`: the field holding the event time. Default: nil, the
    /// first pipeline's `time_field`, else `@timestamp`.
    public var timeField: String?
    /// `--lateness`: how far behind the newest event time an event may arrive
    /// and still count (`EngineOptions.latenessMs`); 0 = arrival order. Default: 30s.
    public var lateness = TimeSpan.seconds(30)
    /// `--max-future-skew`: how far ahead of its input's event time an event
    /// is admitted at once (`EngineOptions.maxFutureSkewMs`); 0 = off. Default: 1h.
    public var maxFutureSkew = TimeSpan.hours(1)
    /// `--future-quorum`: held events of one input that make a real jump in
    /// time (`EngineOptions.futureQuorum`); `futureQuorumRange`. Default: 8.
    public var futureQuorum = 8
    /// `--max-state`: memory the window state and reorder buffer may take
    /// (`EngineOptions.maxStateBytes`); 0 = no bound. Default: 512MiB.
    public var maxState = ByteSize.mebibytes(512)
    /// `--threads`: worker threads that scan and match lines; 0 = one per
    /// core; `threadsRange`. Default: 0.
    public var threads = 0
    /// `--rule-cache DIR` / `--no-rule-cache`: where compiled prefilter
    /// databases are kept between runs (`PrefilterCache`). Default:
    /// `.standard`, `$XDG_CACHE_HOME/secstream` or `~/.cache/secstream`.
    public var ruleCache = RuleCacheSetting.standard
    /// `--geoip FILE.mmdb` (repeatable): MaxMind databases (City, ASN) whose
    /// fields are added to each event's `source`/`destination` before
    /// detection (`GeoIPEnricher`). Default: none, no enrichment.
    public var geoip: [String] = []
    /// `--baseline FILE`: the learned state (baselines, new-terms histories)
    /// loaded at the start and saved back at the end of the run
    /// (`LearnedStateFile`). Default: none, learned from scratch and not kept.
    public var baseline: String?

    public init() {}

    public static let futureQuorumRange = 1...1_000_000
    /// At most 1024 workers: each holds a scan job, and the queue is three deep per worker.
    public static let threadsRange = 0...1024

    /// Checks the ranges; a value outside is a usage error naming its flag.
    public func validate() throws {
        try OptionRange.check(lateness, "--lateness", in: .zero ... .maximum)
        try OptionRange.check(maxFutureSkew, "--max-future-skew", in: .zero ... .maximum)
        try OptionRange.check(futureQuorum, "--future-quorum", in: Self.futureQuorumRange)
        try OptionRange.check(maxState, "--max-state", in: .zero ... ByteSize(bytes: .max))
        try OptionRange.check(threads, "--threads", in: Self.threadsRange)
    }
}

/// Where the compiled prefilter databases of a rule pack are kept between runs.
public enum RuleCacheSetting: Equatable, Sendable {
    /// `PrefilterCache.defaultDirectory()`, used when it can be (a read-only
    /// or shared home only means compiling every time, silently).
    case standard
    /// `--rule-cache DIR`: a directory that cannot be used is said on stderr.
    case directory(String)
    /// `--no-rule-cache`.
    case off
}

extension EngineOptions {
    /// The engine settings of a run: `rules`' event-time settings and the
    /// input's `--idle-timeout` (0 where inputs cannot go idle, as in `replay`).
    package init(_ rules: RulesConfiguration, idleTimeout: TimeSpan) {
        self.init(latenessMs: rules.lateness.milliseconds, idleTimeoutMs: idleTimeout.milliseconds,
                  maxFutureSkewMs: rules.maxFutureSkew.milliseconds, futureQuorum: rules.futureQuorum,
                  maxStateBytes: rules.maxState.bytes)
    }
}
