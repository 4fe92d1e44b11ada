import SecStreamCore

/// What `secstream process` (and `replay`, which shares the rule and output
/// options) was asked to do. Strings are parsed and validated by the runner so
/// that every bad value gets the same one-line usage error and exit 2.
public struct ProcessOptions {
    public var inputs: [String] = ["-"]
    public var rulePaths: [String] = []
    public var defaultRules = true
    public var fieldMap: String?
    /// `--pipeline NAME|FILE` (repeatable); empty: `ecs`.
    public var pipelines: [String] = []
    /// `--placeholders FILE`: YAML `name: [values]` for `|expand`.
    public var placeholders: String?
    /// `--strict`: a skipped rule is an error (exit 3).
    public var strict = false
    public var selection = RuleSelection()
    /// `--exclude-rules FILE|ID` (repeatable): files list ids or names, one per line.
    public var excludeRules: [String] = []
    /// nil: the first pipeline's `time_field`, else `@timestamp`.
    public var timeField: String?
    public var alerts = "-"
    public var archive: String?
    /// `lz4` (frame, the default) or `gzip`.
    public var archiveCompression = "lz4"
    /// Uncompressed size at which an archive object is cut.
    public var archiveFlushBytes = "8MiB"
    /// Event time past the end of an hour after which its object is cut.
    public var archiveFlushAge = "10m"
    /// Server-side encryption for archive objects: `AES256` or `aws:kms`.
    public var archiveSSE: String?
    public var archiveKMSKeyId: String?
    public var deadLetter: String?
    public var lateness = "30s"
    public var idleTimeout = "10s"
    /// `--max-future-skew`: see `EngineOptions.maxFutureSkewMs` ("0" = off).
    public var maxFutureSkew = "1h"
    /// `--future-quorum`: see `EngineOptions.futureQuorum`.
    public var futureQuorum = 8
    /// `--max-state`: see `EngineOptions.maxStateBytes` ("0" = no bound).
    public var maxState = "512MiB"
    public var fromBeginning = false
    public var untilIdle: String?
    public var follow = false
    /// `--ready-file PATH`: readiness events as JSON lines (`ReadinessReporter`).
    public var readyFile: String?
    public var failOnAlert = false
    /// Kafka inputs: TLS/SASL, consumer-group session timeout, checkpoint interval.
    public var kafka = KafkaClientOptions()
    public var sessionTimeout = "10s"
    public var commitInterval = "1s"
    /// Worker threads that scan and match lines (0 = one per core).
    public var threads = 0
    /// Print the end-of-run summary on stderr.
    public var summary = true

    public init() {}
}

extension EngineOptions {
    /// The engine options of a run: the durations parsed by the caller, the future gate's here.
    init(_ o: ProcessOptions, latenessMs: Int64, idleTimeoutMs: Int64) throws {
        let skew = try OptionParsing.duration(o.maxFutureSkew, flag: "--max-future-skew")
        guard o.futureQuorum >= 1 && o.futureQuorum <= 1_000_000 else {
            throw RunError(.usage, "--future-quorum: \(o.futureQuorum) is not between 1 and 1000000")
        }
        let state = o.maxState == "0" ? 0 : try OptionParsing.byteSize(o.maxState, flag: "--max-state")
        self.init(latenessMs: latenessMs, idleTimeoutMs: idleTimeoutMs, maxFutureSkewMs: skew, futureQuorum: o.futureQuorum,
                  maxStateBytes: state)
    }
}
