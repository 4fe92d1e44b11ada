import Metrics
import SecStreamCore

/// What `secstream replay` was asked to do, as typed values (the CLI parses
/// each flag once): the archive and time range, the pace, and the rules and
/// outputs it shares with `process`. `validate()`, which the runner calls
/// first, checks the ranges and the time range.
public struct ReplayOptions {
    /// The archive: a directory, `file:///dir` or `s3://bucket/prefix`.
    public var archive: ArchiveURI
    /// `--from`: first event time to replay (inclusive). Default: nil, the archive's first hour.
    public var from: Timestamp?
    /// `--to`: event time to stop before (exclusive). Default: nil, the archive's last hour.
    public var to: Timestamp?
    /// `--speed`: the pace, by event time. Default: max, no pacing.
    public var speed = ReplaySpeed.max
    /// `--parallelism`: archive objects fetched and decompressed at once
    /// (0 counts as 1); `parallelismRange`. Default: 4.
    public var parallelism = 4
    /// The rules, their selection and the engine's event-time settings, as `process` takes them.
    public var rules = RulesConfiguration()
    /// Alerts, dead letters, `--fail-on-alert`.
    public var outputs = OutputsConfiguration()
    /// TLS and SASL of Kafka outputs.
    public var kafka = KafkaClientOptions()
    /// `--metrics-listen`, `--metrics-file`, `--metrics-interval`, `--metrics-push`. Default: none.
    public var metrics = MetricsSettings()
    /// Print the summary line on stderr. Default: true.
    public var summary = true
    /// `--progress` (always) / `--quiet` (never): the progress line on stderr.
    /// Default: auto, when stderr is a terminal.
    public var progress = ProgressMode.auto
    /// `--mask`, `--mask-before-detect`.
    public var masking = MaskingConfiguration()
    /// `--model`, `--model-threshold`: a trained model scored on each closed window.
    public var model = ModelConfiguration()
    /// `--keyring`: decrypts client-side encrypted objects.
    public var keyring: String?
    /// `baseline build -o FILE`: where the learned state is saved (instead
    /// of back to `rules.baseline`). Default: nil.
    public var learnedStateOutput: String?

    public init(archive: ArchiveURI) { self.archive = archive }

    /// At most 1024 objects at once: each holds a fetched, decompressed object.
    public static let parallelismRange = 0...1024

    /// Checks every setting; the first problem is a usage error naming its flag.
    public func validate() throws {
        try rules.validate()
        try masking.validate(geoip: rules.geoip)
        try metrics.validate()
        try outputs.validate()
        try model.validate()
        try OptionRange.check(parallelism, "--parallelism", in: Self.parallelismRange)
        if let from, let to, from >= to { throw RunError(.usage, "--from must be before --to (the range is [from, to))") }
    }
}
