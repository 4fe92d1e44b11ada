import Foundation

/// Stacked bar charts as inline SVG: the report is one file with no scripts,
/// so the charts are drawn here, not by a library in the browser. Series
/// names are escaped like every other string on the page.
struct SVGChart {
    struct Series {
        var name: String
        var color: String
        var values: [Int]
    }

    var title: String
    /// One label per bucket (the bucket's start time).
    var labels: [String]
    var series: [Series]
    var width = 1100
    var height = 260

    func render() -> String {
        let left = 48, right = 12, top = 12, bottom = 40
        let plotW = width - left - right, plotH = height - top - bottom
        let n = max(1, labels.count)
        let totals = (0..<labels.count).map { i in series.reduce(0) { $0 + ($1.values.indices.contains(i) ? $1.values[i] : 0) } }
        let maxTotal = max(1, totals.max() ?? 1)
        let scaleMax = Self.niceCeiling(max(2, maxTotal))
        let slot = Double(plotW) / Double(n)
        let barW = max(1, slot * 0.8)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
        svg += "<title>\(HTML.escape(title))</title>"
        // Grid lines and y labels at 0, 1/2 and the top.
        for k in 0...2 {
            let v = scaleMax * k / 2
            let y = Double(top + plotH) - Double(plotH) * Double(v) / Double(scaleMax)
            svg += "<line x1=\"\(left)\" y1=\"\(f(y))\" x2=\"\(width - right)\" y2=\"\(f(y))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(f(y + 4))\" text-anchor=\"end\" class=\"axis\">\(v)</text>"
        }
        for i in 0..<labels.count {
            var base = Double(top + plotH)
            let x = Double(left) + Double(i) * slot + (slot - barW) / 2
            for s in series {
                let v = s.values.indices.contains(i) ? s.values[i] : 0
                guard v > 0 else { continue }
                let h = Double(plotH) * Double(v) / Double(scaleMax)
                base -= h
                svg += "<rect class=\"bar\" x=\"\(f(x))\" y=\"\(f(base))\" width=\"\(f(barW))\" height=\"\(f(h))\" fill=\"\(s.color)\">"
                svg += "<title>\(HTML.escape(labels[i])) \(HTML.escape(s.name)): \(v)</title></rect>"
            }
        }
        // x labels: first, middle and last bucket.
        for i in Set([0, labels.count / 2, labels.count - 1]).sorted() where labels.indices.contains(i) {
            let x = Double(left) + (Double(i) + 0.5) * slot
            let anchor = i == 0 ? "start" : i == labels.count - 1 ? "end" : "middle"
            let ax = i == 0 ? Double(left) : i == labels.count - 1 ? Double(width - right) : x
            svg += "<text x=\"\(f(ax))\" y=\"\(height - bottom + 16)\" text-anchor=\"\(anchor)\" class=\"axis\">\(HTML.escape(labels[i]))</text>"
        }
        // Legend.
        var lx = left
        for s in series {
            svg += "<rect x=\"\(lx)\" y=\"\(height - 14)\" width=\"10\" height=\"10\" fill=\"\(s.color)\"/>"
            svg += "<text x=\"\(lx + 14)\" y=\"\(height - 5)\" class=\"legend\">\(HTML.escape(s.name))</text>"
            lx += 24 + min(30, s.name.count) * 7
        }
        svg += "</svg>"
        return svg
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// 1, 2, 5 × 10^k at or above `n`: round numbers on the axis.
    static func niceCeiling(_ n: Int) -> Int {
        var step = 1
        while true {
            for m in [1, 2, 5] where m * step >= n { return m * step }
            step *= 10
        }
    }

    /// A bucket width for a span: about 60 buckets at most, at a round size.
    static func bucketMs(span: Int64) -> Int64 {
        let sizes: [Int64] = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000]
        return sizes.first { span / $0 < 60 } ?? sizes.last!
    }

    /// Colours for series, distinguishable on white.
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f"]

    static let levelColors: [String: String] = [
        "critical": "#7b1fa2", "high": "#d32f2f", "medium": "#f57c00", "low": "#1976d2", "informational": "#757575",
    ]
}
