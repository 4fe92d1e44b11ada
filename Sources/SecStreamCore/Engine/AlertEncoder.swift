/// Writes an `Alert` as one NDJSON line (docs/alerts.md) with `JSONWriter`: a
/// fixed key order and no Foundation, so the same alerts are always the same bytes.
///
/// `{"alert_id":..,"rule":{"id","title","level","tags"},"group":{..},"window":{"start","end"},
///   "value":..,["features":[..],]"first_seen":..,"last_seen":..,"detected_at":..,"samples":[..]}`, and a baseline
/// correlation's `"baseline":{"method","score","center","spread","samples"}` last.
public enum AlertEncoder {
    public static func encode(_ a: Alert, into out: inout [UInt8]) {
        raw("{\"alert_id\":", &out); string(a.id.description, &out)
        raw(",\"rule\":{\"id\":", &out); string(a.ruleID, &out)
        raw(",\"title\":", &out); string(a.title, &out)
        raw(",\"level\":", &out); string(a.level, &out)
        raw(",\"tags\":[", &out)
        commaSeparated(a.tags, &out) { t, out in string(t, &out) }
        raw("]},\"group\":{", &out)
        commaSeparated(a.group, &out) { g, out in
            string(g.field, &out); out.append(UInt8(ascii: ":")); string(g.value, &out)
        }
        raw("},\"window\":{\"start\":", &out); time(a.windowStart, &out)
        raw(",\"end\":", &out); time(a.windowEnd, &out)
        raw("},\"value\":", &out); number(a.value, &out)
        if !a.features.isEmpty {
            raw(",\"features\":[", &out)
            commaSeparated(a.features, &out) { f, out in
                raw("{\"name\":", &out); string(f.name, &out)
                raw(",\"value\":", &out); number(f.value, &out)
                raw(",\"contribution\":", &out); number(f.contribution, &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        raw(",\"first_seen\":", &out); time(a.firstSeen, &out)
        raw(",\"last_seen\":", &out); time(a.lastSeen, &out)
        raw(",\"detected_at\":", &out); time(a.detectedAt, &out)
        raw(",\"samples\":[", &out)
        commaSeparated(a.samples, &out) { s, out in
            switch s {
            case .file(let name, let line):
                raw("{\"source\":", &out); string(name, &out)
                raw(",\"line\":", &out); raw(String(line), &out)
            case .partition(let topic, let partition, let offset):
                raw("{\"topic\":", &out); string(topic, &out)
                raw(",\"partition\":", &out); raw(String(partition), &out)
                raw(",\"offset\":", &out); raw(String(offset), &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        raw("]", &out)
        if let b = a.baseline {
            raw(",\"baseline\":{\"method\":", &out); string(b.method.rawValue, &out)
            raw(",\"score\":", &out); number(b.score, &out)
            raw(",\"center\":", &out); number(b.center, &out)
            raw(",\"spread\":", &out); number(b.spread, &out)
            raw(",\"samples\":", &out); raw(String(b.samples), &out)
            out.append(UInt8(ascii: "}"))
        }
        raw("}\n", &out)
    }

    /// The alert's NDJSON line, newline included.
    public static func line(_ a: Alert) -> [UInt8] {
        var out: [UInt8] = []
        encode(a, into: &out)
        return out
    }

    /// The items `element` writes, separated by commas (array elements, object members).
    @inline(__always)
    private static func commaSeparated<S: Sequence>(_ items: S, _ out: inout [UInt8],
                                                    _ element: (S.Element, inout [UInt8]) -> Void) {
        var first = true
        for item in items {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            element(item, &out)
        }
    }

    @inline(__always)
    private static func raw(_ s: String, _ out: inout [UInt8]) { out.append(contentsOf: s.utf8) }
    @inline(__always)
    private static func time(_ ms: Int64, _ out: inout [UInt8]) { JSONWriter.time(ms, into: &out) }
    @inline(__always)
    private static func number(_ v: Double, _ out: inout [UInt8]) { JSONWriter.number(v, into: &out) }
    @inline(__always)
    private static func string(_ s: String, _ out: inout [UInt8]) { JSONWriter.string(s, into: &out) }
}
