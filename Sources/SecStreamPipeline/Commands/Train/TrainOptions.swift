import SecStreamCore

/// What `secstream train` was asked to do, as typed values; `validate()`
/// names the flag of the first problem (exit 2).
public struct TrainOptions: Sendable {
    /// `--input`: NDJSON files (or `-`) read once, in order, as one input.
    public var inputs: [InputURI] = []
    /// `--archive`: an archive replayed in event-time order (as `replay` reads it).
    public var archive: ArchiveURI?
    /// `--truth` (from `generate --truth`) or `--labels` (an analyst's labels file); exactly one.
    public var truth: String?
    public var labels: String?
    /// `--group-by`: the field whose values the windows are per. Default: source.ip.
    public var groupBy = "source.ip"
    /// `--window`: the tumbling window length. Default: 5m.
    public var window = TimeSpan.minutes(5)
    /// `--rounds`: boosting rounds (trees). Default: 30.
    public var rounds = 30
    /// `--max-depth`: depth of each tree. Default: 4.
    public var maxDepth = 4
    /// `--time-field`, `--lateness`: how events are ordered and windows closed
    /// (as in `process`); `--rules`: detection rules whose matches per window
    /// become features (`rule_<name>`), then required by `process --model`.
    public var rules = RulesConfiguration()
    /// `-o`: the model file (XGBoost JSON; the name must end in .json).
    public var output = ""
    public var summary = true

    public init() {}

    public static let roundsRange = 1...10_000
    public static let depthRange = 1...16

    public func validate() throws {
        if inputs.isEmpty && archive == nil { throw RunError(.usage, "train: give --input FILE or --archive URI") }
        if inputs.contains(where: { if case .kafka = $0 { return true }; return false }) {
            throw RunError(.usage, "--input: train reads files, stdin or --archive, not Kafka")
        }
        switch (truth, labels) {
        case (nil, nil): throw RunError(.usage, "train: give --truth FILE or --labels FILE")
        case (.some, .some): throw RunError(.usage, "--truth and --labels are exclusive")
        default: break
        }
        if groupBy.isEmpty { throw RunError(.usage, "--group-by: a field name") }
        try OptionRange.check(window, "--window", in: .seconds(1) ... .days(1))
        try OptionRange.check(rounds, "--rounds", in: Self.roundsRange)
        try OptionRange.check(maxDepth, "--max-depth", in: Self.depthRange)
        guard output.hasSuffix(".json") else {
            throw RunError(.usage, "-o \(output.isEmpty ? "(none)" : output): the model file's name must end in .json (XGBoost's JSON format)")
        }
        try rules.validate()
    }
}
