import ArgumentParser
import SecStreamPipeline

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML incident report from an alerts file (and the events behind it).",
        discussion: "Alerts over time, failed logins over time by source, top sources, users and rules, MITRE ATT&CK tactics and techniques from rule tags, countries, and each alert with its sample events. One file: inline SVG, no scripts or fonts to fetch. See secstream-report(1)."
    )

    @Argument(help: ArgumentHelp("The alerts NDJSON file ('-' for stdin; .gz/.lz4/.zst by magic).", valueName: "alerts"))
    var alerts: String
    @Option(name: .customLong("events"), help: ArgumentHelp("The events behind the alerts: an NDJSON file or an archive (directory, file:///dir, s3://bucket/prefix); repeatable.", valueName: "file|archive"))
    var events: [String] = []
    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The HTML file to write ('-' for stdout).", valueName: "file"))
    var output: String
    @Option(help: "The report's heading.") var title = "secstream incident report"

    func run() throws {
        var o = ReportOptions(alerts: alerts, output: output)
        o.events = events; o.title = title
        try ReportRunner(options: o).run()
    }
}
