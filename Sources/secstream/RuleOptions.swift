import ArgumentParser
import Foundation
import SecStreamPipeline

/// Rule and output options shared by `process` and `replay`.
struct RuleOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: "A Sigma rule file or directory (repeatable).") var rules: [String] = []
    @Flag(name: .customLong("no-default-rules"), help: "Do not load the built-in rule pack.") var noDefaultRules = false
    @Option(name: .customLong("pipeline"), help: "A processing pipeline in pySigma's YAML format: a built-in (ecs, windows-evtx, zeek, cloudtrail, linux) or a file (repeatable, applied by priority; default ecs). Rules run only on events of their logsource as the pipelines recognise it.") var pipelines: [String] = []
    @Option(name: .customLong("field-map"), help: "YAML map from Sigma fields to event fields (applied after the pipelines).") var fieldMap: String?
    @Option(name: .customLong("time-field"), help: "Field holding the event time (default: the pipeline's, else @timestamp).") var timeField: String?
    @Flag(help: "Any rule skipped as unsupported or for an unrecognised logsource is an error (exit 3).") var strict = false
    @Option(name: .customLong("min-level"), help: "Run only rules of this level or above: informational, low, medium, high, critical.") var minLevel: SigmaLevel?
    @Option(help: "Run only rules with one of these statuses (comma-separated: stable,test,experimental,deprecated,unsupported).") var status: String?
    @Option(help: "Run only rules with one of these tags (comma-separated; attack.t1059 also selects attack.t1059.001).") var tags: String?
    @Option(name: .customLong("exclude-rules"), help: "A rule id or name, or a file listing them one per line, to leave out (repeatable).") var excludeRules: [String] = []
    @Option(help: "YAML file of placeholder values (name: [values]) for |expand.") var placeholders: String?
    @Option(help: "Where alerts go: '-' (stdout), a path (.gz/.lz4 compress) or kafka://HOSTS/TOPIC[?compression=none|gzip|snappy|lz4|zstd] (keyed by alert_id).") var alerts: String = "-"
    @Option(name: .customLong("dead-letter"), help: "Where malformed, late and future events go: a path or kafka://HOSTS/TOPIC (default: discarded after counting).") var deadLetter: String?
    @Option(help: "How far behind the newest event time an event may arrive (0 = arrival order).") var lateness: String = "30s"
    @Option(name: .customLong("max-future-skew"), help: "How far ahead of its input's event time an event may be before it is held aside (and dead-lettered as 'future' if the input never catches up); 0 = off.") var maxFutureSkew: String = "1h"
    @Option(name: .customLong("future-quorum"), help: "How many held events of one input make a real jump in time (and judge an input's first events).") var futureQuorum: Int = 8
    @Option(name: .customLong("max-state"), help: "Memory the window state and reorder buffer may take (e.g. 512MiB, 2GiB; 0 = no bound); past it the least recently updated windows are dropped and counted.") var maxState: String = "512MiB"
    @Flag(name: .customLong("fail-on-alert"), help: "Exit 1 when any alert was written.") var failOnAlert = false
    @Option(help: "Worker threads for scanning and matching (0 = one per core).") var threads: Int = 0

    private func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func apply(to o: inout ProcessOptions) {
        o.rulePaths = rules; o.defaultRules = !noDefaultRules; o.fieldMap = fieldMap; o.timeField = timeField
        o.pipelines = pipelines; o.strict = strict; o.placeholders = placeholders; o.excludeRules = excludeRules
        o.selection.minLevel = minLevel?.rawValue
        o.selection.statuses = Set(list(status).map { $0.lowercased() })
        o.selection.tags = Set(list(tags).map { $0.lowercased() })
        o.alerts = alerts; o.deadLetter = deadLetter; o.lateness = lateness; o.failOnAlert = failOnAlert
        o.maxFutureSkew = maxFutureSkew; o.futureQuorum = futureQuorum; o.maxState = maxState
        o.threads = threads
    }
}

/// Sigma rule levels, lowest first (`--min-level`).
enum SigmaLevel: String, ExpressibleByArgument, CaseIterable {
    case informational, low, medium, high, critical
}
