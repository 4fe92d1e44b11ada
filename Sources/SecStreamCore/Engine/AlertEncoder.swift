/// Writes an `Alert` as one NDJSON line (docs/alerts.md) with `JSONWriter`: a
/// fixed key order and no Foundation, so the same alerts are always the same bytes.
///
/// `{"alert_id":..,"rule":{"id","title","level","tags"},"group":{..},"window":{"start","end"},
///   "value":..,"first_seen":..,"last_seen":..,"detected_at":..,"samples":[..]}`
public enum AlertEncoder {
    public static func encode(_ a: Alert, into out: inout [UInt8]) {
        raw("{\"alert_id\":", &out); string(a.id.description, &out)
        raw(",\"rule\":{\"id\":", &out); string(a.ruleID, &out)
        raw(",\"title\":", &out); string(a.title, &out)
        raw(",\"level\":", &out); string(a.level, &out)
        raw(",\"tags\":[", &out)
        for (i, t) in a.tags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            string(t, &out)
        }
        raw("]},\"group\":{", &out)
        for (i, g) in a.group.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            string(g.field, &out); out.append(UInt8(ascii: ":")); string(g.value, &out)
        }
        raw("},\"window\":{\"start\":", &out); time(a.windowStart, &out)
        raw(",\"end\":", &out); time(a.windowEnd, &out)
        raw("},\"value\":", &out); number(a.value, &out)
        raw(",\"first_seen\":", &out); time(a.firstSeen, &out)
        raw(",\"last_seen\":", &out); time(a.lastSeen, &out)
        raw(",\"detected_at\":", &out); time(a.detectedAt, &out)
        raw(",\"samples\":[", &out)
        for (i, s) in a.samples.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
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
        raw("]}\n", &out)
    }

    /// The alert's NDJSON line, newline included.
    public static func line(_ a: Alert) -> [UInt8] {
        var out: [UInt8] = []
        encode(a, into: &out)
        return out
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
