import ArgumentParser
import SecStreamPipeline

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a gradient-boosted model (XGBoost) on per-group window features for `process --model`.",
        discussion: "Windows are labelled positive where --truth (from `generate --truth`) or --labels names their group in a span that overlaps them."
    )

    @Option(name: .customLong("input"), help: ArgumentHelp("NDJSON input: '-' or a path (.gz/.lz4/.zst by magic) (repeatable).", valueName: "uri"))
    var inputs: [InputURI] = []
    @Option(help: ArgumentHelp("An archive (local directory or s3://) to train on, replayed in event-time order.", valueName: "uri"))
    var archive: ArchiveURI?
    @Option(help: ArgumentHelp("Ground truth from `generate --truth`.", valueName: "file")) var truth: String?
    @Option(help: ArgumentHelp("Labels: NDJSON {\"group\":V,\"start\":T,\"end\":T} per attack span.", valueName: "file")) var labels: String?
    @Option(name: .customLong("group-by"), help: ArgumentHelp("Field whose values the windows are per.", valueName: "field"))
    var groupBy = TrainOptions().groupBy
    @Option(help: ArgumentHelp("Tumbling window length (1s to 1d).", valueName: "duration")) var window = TrainOptions().window
    @Option(help: "Boosting rounds (trees).") var rounds = TrainOptions().rounds
    @Option(name: .customLong("max-depth"), help: "Depth of each tree.") var maxDepth = TrainOptions().maxDepth
    @Option(name: .customLong("rules"), help: ArgumentHelp("Sigma rules whose matches per window become features (repeatable; `process --model` then needs them).", valueName: "path"))
    var rules: [String] = []
    @Option(name: .customLong("time-field"), help: "Field holding the event time (default: @timestamp).") var timeField: String?
    @Option(help: ArgumentHelp("How far behind the newest event an event may arrive and still count.", valueName: "duration"))
    var lateness = TrainOptions().rules.lateness
    @Option(name: .shortAndLong, help: ArgumentHelp("The model file (a .json name).", valueName: "file")) var output: String = ""
    @Flag(help: "No summary line on stderr.") var quiet = false

    func run() throws {
        var o = TrainOptions()
        o.inputs = inputs; o.archive = archive; o.truth = truth; o.labels = labels
        o.groupBy = groupBy; o.window = window; o.rounds = rounds; o.maxDepth = maxDepth
        o.rules.timeField = timeField; o.rules.lateness = lateness
        o.rules.rulePaths = rules
        o.output = output; o.summary = !quiet
        let code = try TrainRunner(options: o).run()
        if code != 0 { throw ExitCode(code) }
    }
}
