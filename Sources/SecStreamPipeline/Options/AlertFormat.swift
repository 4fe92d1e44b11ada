/// `--format`: how alerts on stdout are written. Absent, a terminal gets the
/// table and anything else (a pipe, a file) NDJSON, so scripts never see the
/// table by accident.
public enum AlertFormat: String, CaseIterable, Sendable {
    /// One JSON object per line (docs/alerts.md): what pipes, files and topics get.
    case ndjson
    /// An aligned table for a person: level, time, rule, group, value.
    case table
}

/// `--color`: ANSI colour in the alerts table. `auto` colours only a terminal
/// and honours `NO_COLOR` (https://no-color.org); `always` colours a pipe too
/// (`| less -R`); `never` never does.
public enum ColorMode: String, CaseIterable, Sendable {
    case auto, always, never
}
