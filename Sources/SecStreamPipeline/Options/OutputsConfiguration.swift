import SecStreamCore

/// Where a run's results go, and whether alerts fail it. Shared by `process`
/// and `replay` (part of the CLI's `RuleOptions` group). The URIs are
/// checked when parsed (`OutputURI`); `validate()` checks how they combine.
public struct OutputsConfiguration {
    /// `--alerts`: one NDJSON line per alert; a topic is keyed by `alert_id`.
    /// Default: `-`, stdout.
    public var alerts = OutputURI.stdout
    /// `--dead-letter`: malformed, late and future events, one NDJSON record
    /// each. Default: nil, counted and discarded.
    public var deadLetter: OutputURI?
    /// `--fail-on-alert`: exit 1 when any alert was written. Default: false.
    public var failOnAlert = false
    /// `--format`: alerts on stdout as NDJSON or a table. Default: nil, a
    /// table when stdout is a terminal, NDJSON otherwise.
    public var format: AlertFormat?
    /// `--color`: ANSI colour in the table. Default: auto.
    public var color = ColorMode.auto

    public init() {}

    /// A table is for a person at a terminal or a pager: an alerts file or
    /// topic is read by programs and stays NDJSON.
    public func validate() throws {
        if format == .table, alerts != .stdout {
            throw RunError(.usage, "--format table: alerts go to \(alerts), which is always NDJSON; the table is for stdout (--alerts -)")
        }
    }

    /// The format alerts are written in, given whether stdout is a terminal.
    package func alertFormat(stdoutIsTerminal: Bool) -> AlertFormat {
        guard alerts == .stdout else { return .ndjson }
        return format ?? (stdoutIsTerminal ? .table : .ndjson)
    }
}
