import SecStreamCore

/// Alerts as rows of an aligned table for a terminal: level, time, rule,
/// group, value. Rows are written as alerts fire (a `--follow` run shows each
/// at once), so the widths are fixed up front: the rule column fits the
/// longest title of the loaded rules (at most `maxRuleWidth`, longer titles
/// end in `…`); a group wider than its column pushes that row's value right
/// rather than lose part of an address or user name.
package struct AlertTable {
    package static let maxRuleWidth = 48
    package static let groupWidth = 36
    static let levelWidth = 13   // "informational"
    static let timeWidth = 24    // 2026-11-20T10:05:19.000Z

    package let ruleWidth: Int
    package let colored: Bool

    /// `titles`: the titles of the rules that may fire.
    package init(titles: [String], colored: Bool) {
        ruleWidth = min(Self.maxRuleWidth, max(4, titles.map { Terminal.printable($0).count }.max() ?? 0))
        self.colored = colored
    }

    /// The header line, newline included.
    package var header: String {
        let text = pad("LEVEL", Self.levelWidth) + "  " + pad("TIME", Self.timeWidth) + "  "
            + pad("RULE", ruleWidth) + "  " + pad("GROUP", Self.groupWidth) + "  VALUE"
        return (colored ? "\u{1b}[1m" + text + "\u{1b}[0m" : text) + "\n"
    }

    /// One alert's row, newline included. The time is when the rule fired (event time).
    package func row(_ a: Alert) -> String {
        let level = pad(Terminal.printable(a.level), Self.levelWidth)
        var time: [UInt8] = []
        EventTime.append(a.detectedAt, to: &time)
        var title = Terminal.printable(a.title)
        if title.count > ruleWidth { title = String(title.prefix(ruleWidth - 1)) + "…" }
        let group = a.group.map { Terminal.printable($0.field) + "=" + Terminal.printable($0.value) }.joined(separator: " ")
        var value: [UInt8] = []
        JSONWriter.number(a.value, into: &value)
        return color(level, for: a.level) + "  " + pad(String(decoding: time, as: UTF8.self), Self.timeWidth) + "  "
            + pad(title, ruleWidth) + "  " + pad(group.isEmpty ? "-" : group, Self.groupWidth) + "  "
            + String(decoding: value, as: UTF8.self) + "\n"
    }

    /// Sigma levels from loudest to quietest: bold red, red, yellow, cyan, dim.
    private func color(_ text: String, for level: String) -> String {
        guard colored else { return text }
        let code: String
        switch level.lowercased() {
        case "critical": code = "1;31"
        case "high": code = "31"
        case "medium": code = "33"
        case "low": code = "36"
        default: code = "2"
        }
        return "\u{1b}[\(code)m" + text + "\u{1b}[0m"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        let n = text.count
        return n >= width ? text : text + String(repeating: " ", count: width - n)
    }
}
