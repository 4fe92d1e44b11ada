import ArgumentParser
import SecStreamPipeline

/// `secstream baseline`: learned state for baseline and new_terms rules.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Learn baselines and new-terms histories from an archive, for process/replay --baseline.",
        discussion: "See secstream-baseline(1).",
        subcommands: [BaselineBuildCommand.self]
    )
}

struct BaselineBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Replay an archive through the rules and write what their baseline and new_terms correlations learned.",
        discussion: "Reads only the dt=/hour= partitions that overlap [--from, --to). See secstream-baseline(1)."
    )

    @OptionGroup var range: ArchiveRangeOptions
    @Option(name: .shortAndLong, help: ArgumentHelp("The learned-state file to write (atomically).", valueName: "file"))
    var output: String
    @Option(name: .customLong("rules"), help: "A Sigma rule file or directory (repeatable).") var rules: [String] = []
    @Flag(name: .customLong("no-default-rules"), help: "Do not load the built-in rule pack.") var noDefaultRules = false
    @Option(name: .customLong("pipeline"), help: "A processing pipeline: a built-in or a pySigma YAML file (repeatable; default ecs).") var pipelines: [String] = []
    @Option(name: .customLong("field-map"), help: "YAML map from Sigma fields to event fields.") var fieldMap: String?
    @Option(name: .customLong("time-field"), help: "Field holding the event time (default: the pipeline's, else @timestamp).") var timeField: String?
    @Option(help: ArgumentHelp("How far behind the newest event time an event may arrive (0 = arrival order).", valueName: "duration"))
    var lateness = RulesConfiguration().lateness
    @Option(name: .customLong("max-state"), help: ArgumentHelp("Memory the window state and learned histories may take (0 = no bound).", valueName: "size"))
    var maxState = RulesConfiguration().maxState
    @Option(help: "Worker threads for scanning and matching (0 = one per core).") var threads = RulesConfiguration().threads
    @Option(help: ArgumentHelp("Start from this learned-state file instead of nothing (it may be the -o file).", valueName: "file"))
    var baseline: String?
    @Option(help: ArgumentHelp("Where the alerts the replay raises go: '-', a path or kafka://HOSTS/TOPIC (default: discarded).", valueName: "uri"))
    var alerts: OutputURI?
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        var o = ReplayOptions(archive: range.archive)
        o.progress = progress.mode; o.summary = !progress.quiet
        o.from = range.from; o.to = range.to; o.keyring = range.keyring
        var r = RulesConfiguration()
        r.rulePaths = rules; r.defaultRules = !noDefaultRules; r.pipelines = pipelines; r.fieldMap = fieldMap
        r.timeField = timeField; r.lateness = lateness; r.maxState = maxState; r.threads = threads; r.baseline = baseline
        o.rules = r
        o.outputs.alerts = alerts ?? .file(path: "/dev/null")
        o.learnedStateOutput = output
        let code = try BaselineBuildRunner(options: o).run()
        if code != 0 { throw ExitCode(code) }
    }
}
