import Foundation

/// The two text formats a Prometheus scraper understands, and rendering into
/// them. Prometheus asks for OpenMetrics first in its Accept header; anything
/// else (curl, node_exporter's textfile collector, an old scraper) gets the
/// classic text format 0.0.4, which every consumer reads.
public enum ExpositionFormat: Sendable {
    case prometheusText
    case openMetrics

    public var contentType: String {
        switch self {
        case .prometheusText: return "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: return "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// Content negotiation, reduced to what scrapers send: OpenMetrics when
    /// the Accept header lists it with a non-zero quality, else text 0.0.4.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .prometheusText }
        for part in accept.split(separator: ",") {
            let params = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard params.first?.lowercased() == "application/openmetrics-text" else { continue }
            let q = params.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if q > 0 { return .openMetrics }
        }
        return .prometheusText
    }

    public func render(_ families: [MetricFamilySnapshot]) -> String {
        var out = ""
        out.reserveCapacity(families.count * 256)
        for f in families where !f.series.isEmpty {
            render(f, into: &out)
        }
        if self == .openMetrics { out += "# EOF\n" }
        return out
    }

    private func render(_ f: MetricFamilySnapshot, into out: inout String) {
        // OpenMetrics names a counter family without its `_total` sample suffix,
        // and a gauge of 1 named `_info` is its info type.
        var familyName = f.name
        var type = f.kind.rawValue
        if self == .openMetrics {
            if f.kind == .counter, f.name.hasSuffix("_total") { familyName = String(f.name.dropLast(6)) }
            if f.kind == .gauge, f.name.hasSuffix("_info") {
                familyName = String(f.name.dropLast(5)); type = "info"
            }
        }
        out += "# HELP \(familyName) \(escapeHelp(f.help))\n"
        out += "# TYPE \(familyName) \(type)\n"
        for s in f.series {
            switch f.kind {
            case .counter, .gauge:
                out += "\(f.name)\(s.labels.rendered) \(number(s.value))\n"
            case .histogram:
                for b in s.buckets {
                    out += "\(f.name)_bucket\(s.labels.appending("le", bound(b.upperBound)).rendered) \(b.count)\n"
                }
                out += "\(f.name)_sum\(s.labels.rendered) \(number(s.sum))\n"
                out += "\(f.name)_count\(s.labels.rendered) \(s.count)\n"
            }
        }
    }

    /// HELP text: 0.0.4 escapes backslash and newline; OpenMetrics also the double quote.
    private func escapeHelp(_ help: String) -> String {
        var out = ""
        for c in help {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where self == .openMetrics: out += "\\\""
            default: out.append(c)
            }
        }
        return out
    }

    /// Integers print without a fraction (counters stay readable); others in
    /// Swift's shortest round-trip form, which both formats parse.
    func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    /// A bucket bound: OpenMetrics wants canonical floats (`1.0`, `+Inf`).
    func bound(_ v: Double) -> String {
        if v.isInfinite { return "+Inf" }
        if self == .openMetrics, v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) + ".0" }
        return number(v)
    }
}
