/// Where a run's results go, and whether alerts fail it. Shared by `process`
/// and `replay` (part of the CLI's `RuleOptions` group). The URIs are
/// checked when parsed (`OutputURI`), so there is nothing left to validate.
public struct OutputsConfiguration {
    /// `--alerts`: one NDJSON line per alert; a topic is keyed by `alert_id`.
    /// Default: `-`, stdout.
    public var alerts = OutputURI.stdout
    /// `--dead-letter`: malformed, late and future events, one NDJSON record
    /// each. Default: nil, counted and discarded.
    public var deadLetter: OutputURI?
    /// `--fail-on-alert`: exit 1 when any alert was written. Default: false.
    public var failOnAlert = false

    public init() {}
}
