import ArgumentParser
import SecStreamPipeline

/// Rule and output options shared by `process` and `replay`.
struct RuleOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: "A Sigma rule file or directory (repeatable).") var rules: [String] = []
    @Flag(name: .customLong("no-default-rules"), help: "Do not load the built-in rule pack.") var noDefaultRules = false
    @Option(name: .customLong("field-map"), help: "YAML map from Sigma fields to event fields.") var fieldMap: String?
    @Option(name: .customLong("time-field"), help: "Field holding the event time.") var timeField: String = "@timestamp"
    @Option(help: "Where alerts go: '-' (stdout), a path (.gz/.lz4 compress) or kafka://HOSTS/TOPIC[?compression=none|gzip|snappy|lz4|zstd] (keyed by alert_id).") var alerts: String = "-"
    @Option(name: .customLong("dead-letter"), help: "Where malformed and late events go: a path or kafka://HOSTS/TOPIC (default: discarded after counting).") var deadLetter: String?
    @Option(help: "How far behind the newest event time an event may arrive (0 = arrival order).") var lateness: String = "30s"
    @Flag(name: .customLong("fail-on-alert"), help: "Exit 1 when any alert was written.") var failOnAlert = false
    @Option(help: "Worker threads for scanning and matching (0 = one per core).") var threads: Int = 0

    func apply(to o: inout ProcessOptions) {
        o.rulePaths = rules; o.defaultRules = !noDefaultRules; o.fieldMap = fieldMap; o.timeField = timeField
        o.alerts = alerts; o.deadLetter = deadLetter; o.lateness = lateness; o.failOnAlert = failOnAlert
        o.threads = threads
    }
}
