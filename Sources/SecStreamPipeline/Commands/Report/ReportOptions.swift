import SecStreamCore

/// What `secstream report` was asked to do: the alerts file to report on,
/// the events behind it (files or archives, optional) and the page to write.
public struct ReportOptions {
    /// The alerts NDJSON file (`process`/`replay` `--alerts`; `-` for stdin, .gz/.lz4/.zst by magic).
    public var alerts: String
    /// `--events`: NDJSON files or archives (a directory, `file:///dir`, `s3://bucket/prefix`)
    /// for failed logins over time, countries and the alerts' sample events. Default: none.
    public var events: [String] = []
    /// `-o`/`--output`: the HTML file, written whole or not at all.
    public var output: String
    /// `--title`: the page's heading. Default: "secstream incident report".
    public var title = "secstream incident report"

    public init(alerts: String, output: String) { self.alerts = alerts; self.output = output }

    public func validate() throws {
        if output.isEmpty { throw RunError(.usage, "-o: no output file given") }
        if output == "-" { return }
        if output.hasSuffix("/") { throw RunError(.usage, "-o \(output): a file name, not a directory") }
    }
}
