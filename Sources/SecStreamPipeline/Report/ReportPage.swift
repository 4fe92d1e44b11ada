import Foundation
import SecStreamCore

/// The incident report as one HTML page: summary, alerts over time, failed
/// logins over time by source, top sources, users and rules, MITRE ATT&CK
/// tactics and techniques, countries, and every alert with its sample events.
/// No scripts, fonts or links to fetch: it reads the same offline, in a mail
/// attachment or a ticket. Every string from the alerts or events is escaped.
struct ReportPage {
    var title: String
    var alertsFile: String
    var eventInputs: [String]
    var alerts: [ReportAlert]
    var events: ReportEvents?

    /// At most this many alerts are listed one by one (all are counted and charted).
    static let listedAlerts = 5000
    static let levels = ["critical", "high", "medium", "low", "informational"]

    func render() -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <title>\(HTML.escape(title))</title>
        <style>\(Self.css)</style>
        </head><body>
        <h1>\(HTML.escape(title))</h1>

        """
        h += summary()
        h += section("Alerts over time", id: "alerts-over-time", alertsChart())
        h += section("Failed logins over time by source", id: "failed-logins", failedLoginsChart())
        h += "<div class=\"grid\">"
        h += section("Top sources", id: "top-sources", topTable(count(\.self, alerts.compactMap { $0.groupValue(endingWith: "ip") }), "Source", "Alerts"))
        h += section("Top users", id: "top-users", topTable(count(\.self, alerts.compactMap { $0.groupValue(endingWith: "user.name") ?? $0.groupValue(endingWith: "name") }), "User", "Alerts"))
        h += section("Top rules", id: "top-rules", topTable(count(\.self, alerts.map(\.title)), "Rule", "Alerts"))
        h += "</div>"
        h += section("MITRE ATT&CK", id: "attack", attack())
        h += section("Countries", id: "countries", countries())
        h += section("Alerts", id: "alerts", alertList())
        h += "<footer>secstream report · alerts from \(HTML.escape(alertsFile))"
        if !eventInputs.isEmpty { h += " · events from " + eventInputs.map(HTML.escape).joined(separator: ", ") }
        h += "</footer></body></html>\n"
        return h
    }

    private func section(_ heading: String, id: String, _ body: String) -> String {
        "<section id=\"\(id)\"><h2>\(HTML.escape(heading))</h2>\(body)</section>\n"
    }

    private func summary() -> String {
        let times = alerts.map(\.detectedAt)
        let range = times.isEmpty ? "no alerts" : "\(EventTime.format(times.min()!)) – \(EventTime.format(times.max()!))"
        var byLevel: [String: Int] = [:]
        for a in alerts { byLevel[a.level.lowercased(), default: 0] += 1 }
        var h = "<section id=\"summary\"><table class=\"kv\">"
        h += "<tr><th>Alerts</th><td id=\"alert-count\">\(alerts.count)</td></tr>"
        h += "<tr><th>Time range</th><td>\(HTML.escape(range))</td></tr>"
        h += "<tr><th>Rules fired</th><td>\(Set(alerts.map(\.ruleID)).count)</td></tr>"
        h += "<tr><th>By level</th><td>"
        h += (Self.levels + byLevel.keys.filter { !Self.levels.contains($0) }.sorted()).compactMap { level in
            byLevel[level].map { "<span class=\"level \(Self.levelClass(level))\">\(HTML.escape(level)) \($0)</span>" }
        }.joined(separator: " ")
        h += "</td></tr>"
        if let events { h += "<tr><th>Events read</th><td>\(events.lines)</td></tr>" }
        h += "</table></section>\n"
        return h
    }

    private func buckets(_ times: [Int64]) -> (start: Int64, width: Int64, labels: [String])? {
        guard let lo = times.min(), let hi = times.max() else { return nil }
        let width = SVGChart.bucketMs(span: hi - lo)
        let start = lo - ((lo % width) + width) % width
        let n = Int((hi - start) / width) + 1
        let labels = (0..<n).map { EventTime.format(start + Int64($0) * width) }
        return (start, width, labels)
    }

    private func alertsChart() -> String {
        guard let b = buckets(alerts.map(\.detectedAt)) else { return "<p class=\"none\">No alerts.</p>" }
        var series: [String: [Int]] = [:]
        for a in alerts {
            let i = Int((a.detectedAt - b.start) / b.width)
            series[a.level.lowercased(), default: Array(repeating: 0, count: b.labels.count)][i] += 1
        }
        let order = Self.levels.filter { series[$0] != nil } + series.keys.filter { !Self.levels.contains($0) }.sorted()
        let chart = SVGChart(title: "Alerts per \(Self.widthText(b.width)) by level", labels: b.labels,
                             series: order.map { SVGChart.Series(name: $0, color: SVGChart.levelColors[$0] ?? "#9e9e9e", values: series[$0]!) })
        return "<p class=\"note\">Alerts per \(Self.widthText(b.width)), by level (time the rule fired).</p>" + chart.render()
    }

    private func failedLoginsChart() -> String {
        guard let events else { return "<p class=\"none\">Give the events (<code>--events FILE_OR_ARCHIVE</code>) to chart failed logins.</p>" }
        let minutes = events.failedLogins.values.flatMap(\.keys)
        guard let b = buckets(minutes) else { return "<p class=\"none\">No failed logins in the events.</p>" }
        let totals = events.failedLogins.mapValues { $0.values.reduce(0, +) }
        let top = totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(7).map(\.key)
        var series: [SVGChart.Series] = []
        var other = Array(repeating: 0, count: b.labels.count)
        for (source, perMinute) in events.failedLogins {
            var values = Array(repeating: 0, count: b.labels.count)
            for (minute, n) in perMinute { values[Int((minute - b.start) / b.width)] += n }
            if top.contains(source) {
                series.append(SVGChart.Series(name: source, color: SVGChart.palette[top.firstIndex(of: source)! % SVGChart.palette.count], values: values))
            } else {
                for i in values.indices { other[i] += values[i] }
            }
        }
        series.sort { top.firstIndex(of: $0.name)! < top.firstIndex(of: $1.name)! }
        if other.contains(where: { $0 > 0 }) { series.append(SVGChart.Series(name: "other sources", color: "#bab0ac", values: other)) }
        let total = totals.values.reduce(0, +)
        return "<p class=\"note\">\(total) failed logins from \(totals.count) sources, per \(Self.widthText(b.width)); the \(top.count) busiest sources apart.</p>"
            + SVGChart(title: "Failed logins per \(Self.widthText(b.width)) by source", labels: b.labels, series: series).render()
    }

    private func count<T: Hashable>(_ key: KeyPath<T, T>, _ items: [T]) -> [(T, Int)] {
        var c: [T: Int] = [:]
        for i in items { c[i, default: 0] += 1 }
        return c.map { ($0.key, $0.value) }
    }

    private func topTable(_ counts: [(String, Int)], _ what: String, _ unit: String, limit: Int = 10) -> String {
        guard !counts.isEmpty else { return "<p class=\"none\">None in the alerts' groups.</p>" }
        let sorted = counts.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(limit)
        let maxN = max(1, sorted.first?.1 ?? 1)
        var h = "<table class=\"top\"><tr><th>\(HTML.escape(what))</th><th>\(HTML.escape(unit))</th><th></th></tr>"
        for (name, n) in sorted {
            h += "<tr><td class=\"mono\">\(HTML.escape(name))</td><td class=\"num\">\(n)</td>"
            h += "<td class=\"barcell\"><div class=\"hbar\" style=\"width:\(n * 100 / maxN)%\"></div></td></tr>"
        }
        return h + "</table>"
    }

    private func attack() -> String {
        var tactics: [String: (alerts: Int, rules: Set<String>)] = [:]
        var techniques: [String: (alerts: Int, rules: Set<String>)] = [:]
        for a in alerts {
            for tag in Set(a.tags.compactMap(AttackTags.parse)) {
                switch tag {
                case .tactic(let t):
                    tactics[t, default: (0, [])].alerts += 1; tactics[t]!.rules.insert(a.title)
                case .technique(let t):
                    techniques[t, default: (0, [])].alerts += 1; techniques[t]!.rules.insert(a.title)
                }
            }
        }
        guard !tactics.isEmpty || !techniques.isEmpty else { return "<p class=\"none\">No <code>attack.*</code> tags on the rules that fired.</p>" }
        var h = "<div class=\"grid\"><div><h3>Tactics</h3><table class=\"top\" id=\"tactics\"><tr><th>Tactic</th><th>ID</th><th>Alerts</th><th>Rules</th></tr>"
        for (t, v) in tactics.sorted(by: { $0.value.alerts != $1.value.alerts ? $0.value.alerts > $1.value.alerts : $0.key < $1.key }) {
            let info = AttackTags.tactics[t]!
            h += "<tr class=\"tactic\"><td>\(HTML.escape(info.name))</td><td class=\"mono\">\(info.id)</td><td class=\"num\">\(v.alerts)</td><td>\(v.rules.sorted().map(HTML.escape).joined(separator: "<br>"))</td></tr>"
        }
        h += "</table></div><div><h3>Techniques</h3><table class=\"top\" id=\"techniques\"><tr><th>ID</th><th>Technique</th><th>Alerts</th><th>Rules</th></tr>"
        for (t, v) in techniques.sorted(by: { $0.value.alerts != $1.value.alerts ? $0.value.alerts > $1.value.alerts : $0.key < $1.key }) {
            h += "<tr class=\"technique\"><td class=\"mono\">\(HTML.escape(t))</td><td>\(HTML.escape(AttackTags.techniques[t] ?? "—"))</td><td class=\"num\">\(v.alerts)</td><td>\(v.rules.sorted().map(HTML.escape).joined(separator: "<br>"))</td></tr>"
        }
        return h + "</table></div></div>"
    }

    private func countries() -> String {
        // Alerts by the country of their source: the alert's own geo group, else the events' map.
        var alertsBy: [String: Int] = [:]
        for a in alerts {
            let country = a.groupValue(endingWith: "geo.country_iso_code")
                ?? a.groupValue(endingWith: "ip").flatMap { events?.ipCountry[$0] }
            if let country { alertsBy[country, default: 0] += 1 }
        }
        let fromEvents = events?.countries ?? [:]
        let names = Set(alertsBy.keys).union(fromEvents.keys)
        guard !names.isEmpty else {
            return "<p class=\"none\">No <code>source.geo.country_iso_code</code> in the events or alerts (enrich with <code>--geoip</code>).</p>"
        }
        var h = "<table class=\"top\" id=\"country-table\"><tr><th>Country</th><th>Alerts</th><th>Events</th><th>Failed logins</th><th>Sources</th></tr>"
        for name in names.sorted(by: { (alertsBy[$0] ?? 0, fromEvents[$0]?.events ?? 0, $1) > (alertsBy[$1] ?? 0, fromEvents[$1]?.events ?? 0, $0) }) {
            let e = fromEvents[name]
            h += "<tr class=\"country\"><td class=\"mono\">\(HTML.escape(name))</td><td class=\"num\">\(alertsBy[name] ?? 0)</td>"
            h += "<td class=\"num\">\(e?.events ?? 0)</td><td class=\"num\">\(e?.failed ?? 0)</td><td class=\"num\">\(e?.sources.count ?? 0)</td></tr>"
        }
        return h + "</table>"
    }

    private func alertList() -> String {
        guard !alerts.isEmpty else { return "<p class=\"none\">No alerts.</p>" }
        let sorted = alerts.sorted { ($0.detectedAt, $0.id) < ($1.detectedAt, $1.id) }
        var h = ""
        if sorted.count > Self.listedAlerts {
            h += "<p class=\"note\">The first \(Self.listedAlerts) of \(sorted.count) alerts by time.</p>"
        }
        h += "<table class=\"alerts\" id=\"alert-table\"><tr><th>Time</th><th>Level</th><th>Rule</th><th>Group</th><th>Value</th><th>Window</th></tr>"
        for a in sorted.prefix(Self.listedAlerts) {
            let group = a.group.map { "\(HTML.escape($0.field))=<b>\(HTML.escape($0.value))</b>" }.joined(separator: " ")
            h += "<tr class=\"alert\" id=\"alert-\(HTML.escape(a.id))\"><td class=\"mono\">\(HTML.escape(EventTime.format(a.detectedAt)))</td>"
            h += "<td><span class=\"level \(Self.levelClass(a.level))\">\(HTML.escape(a.level))</span></td>"
            h += "<td class=\"rule\">\(HTML.escape(a.title))</td><td class=\"mono\">\(group)</td>"
            var value: [UInt8] = []
            JSONWriter.number(a.value, into: &value)
            h += "<td class=\"num\">\(String(decoding: value, as: UTF8.self))</td>"
            h += "<td class=\"mono small\">\(HTML.escape(a.windowStart)) – \(HTML.escape(a.windowEnd))</td></tr>"
            if !a.samples.isEmpty {
                h += "<tr class=\"samples\"><td></td><td colspan=\"5\"><details><summary>\(a.samples.count) sample events</summary>"
                for s in a.samples {
                    h += "<div class=\"sample\"><div class=\"loc\">\(HTML.escape(Self.location(s)))</div>"
                    if let raw = events?.samples[s] {
                        h += "<pre>\(HTML.escape(raw))</pre>"
                    }
                    h += "</div>"
                }
                h += "</details></td></tr>"
            }
        }
        return h + "</table>"
    }

    static func location(_ s: ReportAlert.Sample) -> String {
        switch s {
        case .file(let source, let line): return "\(source):\(line)"
        case .partition(let topic, let partition, let offset): return "\(topic)/\(partition)/\(offset)"
        }
    }

    /// A CSS class from a level: only known names, never the attacker's text.
    static func levelClass(_ level: String) -> String {
        let l = level.lowercased()
        return levels.contains(l) ? "lv-" + l : "lv-other"
    }

    static func widthText(_ ms: Int64) -> String {
        switch ms {
        case ..<3_600_000: return "\(ms / 60_000) min"
        case ..<86_400_000: return ms == 3_600_000 ? "hour" : "\(ms / 3_600_000) h"
        default: return ms == 86_400_000 ? "day" : "\(ms / 86_400_000) days"
        }
    }

    static let css = """
    body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:24px auto;max-width:1160px;color:#222;background:#fff}
    h1{font-size:24px;margin:0 0 12px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}h3{font-size:15px}
    table{border-collapse:collapse;font-size:13px}th,td{padding:4px 8px;text-align:left;vertical-align:top}
    tr:nth-child(even){background:#f7f7f7}th{background:#eee}
    .kv th{background:none;color:#555;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
    .mono,pre,code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}.small{font-size:11px;color:#555}
    .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:0 24px}
    .top{width:100%}.barcell{width:35%}.hbar{background:#4e79a7;height:10px;border-radius:2px}
    .level{padding:1px 6px;border-radius:3px;color:#fff;font-size:12px;white-space:nowrap}
    .lv-critical{background:#7b1fa2}.lv-high{background:#d32f2f}.lv-medium{background:#f57c00}.lv-low{background:#1976d2}.lv-informational,.lv-other{background:#757575}
    .alerts{width:100%}.alerts td.rule{font-weight:600}.samples td{background:#fff}
    pre{white-space:pre-wrap;word-break:break-all;background:#f4f4f4;padding:6px;margin:2px 0 8px;font-size:11px}
    .loc{font-size:11px;color:#555}.note{color:#555;font-size:13px}.none{color:#777;font-style:italic}
    svg.chart{max-width:100%;height:auto}svg .axis,svg .legend{font-size:11px;fill:#444;font-family:system-ui,sans-serif}
    footer{margin-top:32px;color:#777;font-size:12px}
    """
}
