import ArgumentParser
import Foundation
import SecStreamPipeline

/// Rule and output options shared by `process` and `replay`: they map onto
/// `RulesConfiguration` and `OutputsConfiguration`.
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
    @Option(help: ArgumentHelp("Where alerts go: '-' (stdout), a path (.gz/.lz4 compress) or kafka://HOSTS/TOPIC[?compression=none|gzip|snappy|lz4|zstd] (keyed by alert_id).", valueName: "uri"))
    var alerts = OutputsConfiguration().alerts
    @Option(help: ArgumentHelp("Alerts on stdout as NDJSON or an aligned table (default: table on a terminal, NDJSON otherwise; --alerts files and topics are always NDJSON).", valueName: "ndjson|table"))
    var format: AlertFormat?
    @Option(help: ArgumentHelp("Colour the alerts table: auto (a terminal, unless NO_COLOR is set), always, never.", valueName: "auto|always|never"))
    var color = ColorMode.auto
    @Option(name: .customLong("dead-letter"), help: ArgumentHelp("Where malformed, late and future events go: a path or kafka://HOSTS/TOPIC (default: discarded after counting).", valueName: "uri"))
    var deadLetter: OutputURI?
    @Option(help: ArgumentHelp("How far behind the newest event time an event may arrive (0 = arrival order).", valueName: "duration"))
    var lateness = RulesConfiguration().lateness
    @Option(name: .customLong("max-future-skew"), help: ArgumentHelp("How far ahead of its input's event time an event may be before it is held aside (and dead-lettered as 'future' if the input never catches up); 0 = off.", valueName: "duration"))
    var maxFutureSkew = RulesConfiguration().maxFutureSkew
    @Option(name: .customLong("future-quorum"), help: "How many held events of one input make a real jump in time (and judge an input's first events).")
    var futureQuorum = RulesConfiguration().futureQuorum
    @Option(name: .customLong("max-state"), help: ArgumentHelp("Memory the window state and reorder buffer may take (e.g. 512MiB, 2GiB; 0 = no bound); past it the least recently updated windows are dropped and counted.", valueName: "size"))
    var maxState = RulesConfiguration().maxState
    @Flag(name: .customLong("fail-on-alert"), help: "Exit 1 when any alert was written.") var failOnAlert = false
    @Option(help: "Worker threads for scanning and matching (0 = one per core).") var threads = RulesConfiguration().threads
    @Option(name: .customLong("rule-cache"), help: ArgumentHelp("Keep the rules' compiled prefilter databases in this directory between runs (default: $XDG_CACHE_HOME/secstream or ~/.cache/secstream; it must be writable by this user only).", valueName: "dir"))
    var ruleCache: String?
    @Flag(name: .customLong("no-rule-cache"), help: "Compile the prefilter databases afresh, reading and writing no cache.") var noRuleCache = false
    @Option(name: .customLong("geoip"), help: ArgumentHelp("A MaxMind database (GeoIP2/GeoLite2 City or ASN, repeatable): adds source.geo.*, source.as.* and destination.* fields to each event with source.ip/destination.ip, before detection and archiving.", valueName: "file.mmdb"))
    var geoip: [String] = []
    @Option(help: ArgumentHelp("Learned state of baseline and new_terms rules (from 'secstream baseline build' or an earlier run): loaded at the start, kept learning, saved back at the end (created if missing).", valueName: "file"))
    var baseline: String?

    func validate() throws {
        if noRuleCache && ruleCache != nil { throw ValidationError("--rule-cache and --no-rule-cache exclude each other") }
    }

    private func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    var rulesConfiguration: RulesConfiguration {
        var r = RulesConfiguration()
        r.rulePaths = rules; r.defaultRules = !noDefaultRules; r.fieldMap = fieldMap; r.timeField = timeField
        r.pipelines = pipelines; r.strict = strict; r.placeholders = placeholders; r.excludeRules = excludeRules
        r.selection.minLevel = minLevel?.rawValue
        r.selection.statuses = Set(list(status).map { $0.lowercased() })
        r.selection.tags = Set(list(tags).map { $0.lowercased() })
        r.lateness = lateness; r.maxFutureSkew = maxFutureSkew; r.futureQuorum = futureQuorum; r.maxState = maxState
        r.threads = threads; r.geoip = geoip; r.baseline = baseline
        r.ruleCache = noRuleCache ? .off : ruleCache.map { .directory($0) } ?? .standard
        return r
    }

    var outputsConfiguration: OutputsConfiguration {
        var o = OutputsConfiguration()
        o.alerts = alerts; o.deadLetter = deadLetter; o.failOnAlert = failOnAlert
        o.format = format; o.color = color
        return o
    }
}

/// Sigma rule levels, lowest first (`--min-level`).
enum SigmaLevel: String, ExpressibleByArgument, CaseIterable {
    case informational, low, medium, high, critical
}
