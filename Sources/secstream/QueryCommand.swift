import ArgumentParser
import SecStreamPipeline

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Filter, project or count archived events.",
        discussion: """
        --where takes a boolean expression: or, and, not, parentheses; FIELD = != < <= > >= VALUE; \
        FIELD in [V, ...]; FIELD in CIDR; FIELD contains|startswith|endswith|matches "text"; exists FIELD. \
        VALUE is "string", number, true, false or null. See secstream-query(1).
        """
    )

    @OptionGroup var range: ArchiveRangeOptions
    @Option(name: .customLong("where"), help: "Filter expression, e.g. 'event.outcome = \"failure\" and source.ip in 10.0.0.0/8'.") var whereExpression: String?
    @Option(help: ArgumentHelp("Comma-separated fields to print.", valueName: "fields"))
    var select: FieldList?
    @Option(name: .customLong("count-by"), help: ArgumentHelp("Comma-separated fields: print one row per distinct value tuple with its count, largest first.", valueName: "fields"))
    var countBy: FieldList?
    @Option(help: "Print at most N rows.") var limit: Int?
    @Option(help: "Output format.") var format = QueryFormat.ndjson
    @Option(name: .customLong("time-field"), help: "Field holding the event time.") var timeField: String = "@timestamp"
    @Option(help: "Objects fetched and scanned at once (0 = one per core for a directory, two per core for S3; at most 1024).") var parallelism: Int = 0
    @Flag(name: .customLong("quiet"), help: "No summary line on stderr.") var quiet = false

    @OptionGroup var metrics: MetricsOptions
    @Flag(help: "Show the progress line on stderr even when it is not a terminal.") var progress = false

    func validate() throws {
        if progress && quiet { throw ValidationError("--progress and --quiet exclude each other") }
    }
    @Option(name: .customLong("mask"), help: ArgumentHelp("Masking policy (YAML, see secstream-mask(5)) applied to every result row.", valueName: "file"))
    var maskPolicy: String?

    func run() throws {
        var o = QueryOptions(archive: range.archive)
        o.from = range.from; o.to = range.to; o.keyring = range.keyring; o.whereExpression = whereExpression
        o.select = select; o.countBy = countBy; o.limit = limit; o.format = format; o.timeField = timeField
        o.parallelism = parallelism; o.summary = !quiet
        o.metrics = metrics.settings
        o.progress = progress ? .always : quiet ? .never : .auto
        o.masking.policyPath = maskPolicy
        let code = try QueryRunner(options: o).run()
        if code != 0 { throw ExitCode(code) }
    }
}
