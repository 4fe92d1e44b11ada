/// What a rule pack load kept and left out, for the one-line summary and the
/// per-rule skip lines on stderr.
public struct RuleLoadReport: Sendable {
    /// Valid Sigma secstream does not evaluate, each with its `file:line: why`.
    public var unsupported: [RuleError] = []
    /// Rules whose logsource no loaded pipeline recognises.
    public var unrecognised: [(location: RuleLocation, logsource: RuleLogsource)] = []
    /// Rules `--min-level`/`--status`/`--tags`/`--exclude-rules` left out.
    public var deselected = 0
    /// Sigma filter documents applied, and to how many rules.
    public var filters = 0
    public var filteredRules = 0

    public init() {}

    /// Skips for which the user has to give something (placeholder values).
    public var needingPlaceholders: Int { unsupported.filter(\.needsPlaceholderValues).count }

    /// `3,748 rules loaded, 32 skipped: ...` with the unrecognised logsources most common first.
    public func summary(detections: Int, correlations: Int) -> String {
        var parts = ["\(grouped(detections + correlations)) rules loaded"]
        if correlations > 0 { parts[0] += " (\(grouped(correlations)) correlations)" }
        let placeholders = needingPlaceholders
        let others = unsupported.count - placeholders
        if others > 0 { parts.append("\(grouped(others)) skipped as unsupported") }
        if placeholders > 0 { parts.append("\(grouped(placeholders)) skipped for placeholders without values") }
        if !unrecognised.isEmpty {
            var counts: [String: Int] = [:]
            for u in unrecognised { counts[u.logsource.description, default: 0] += 1 }
            let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5)
                .map { "\($0.key) \(grouped($0.value))" }.joined(separator: ", ")
            parts.append("\(grouped(unrecognised.count)) for logsources no loaded pipeline recognises (\(top)\(counts.count > 5 ? ", ..." : ""))")
        }
        if deselected > 0 { parts.append("\(grouped(deselected)) left out by selection") }
        if filters > 0 { parts.append("\(filters) filters on \(filteredRules) rules") }
        return parts.joined(separator: "; ")
    }

    private func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
