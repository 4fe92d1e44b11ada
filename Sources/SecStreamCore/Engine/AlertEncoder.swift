/// Writes an `Alert` as one NDJSON line, byte by byte: a fixed key order and
/// no Foundation, so the same alerts are always the same bytes.
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

    private static func time(_ ms: Int64, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        EventTime.append(ms, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Integral values as integers (`5`, not `5.0`); others in Swift's shortest
    /// round-trip form, which is valid JSON; non-finite as null.
    static func number(_ v: Double, _ out: inout [UInt8]) {
        if !v.isFinite { raw("null", &out); return }
        if v == v.rounded(), abs(v) < 1e15 { raw(String(Int64(v)), &out); return }
        raw("\(v)", &out)
    }

    /// A JSON string with RFC 8259 escaping: quote, backslash and control
    /// characters; everything else (valid UTF-8 from `String`) as is. Runs
    /// without escapes are copied whole (alerts repeat titles and paths; a
    /// byte-at-a-time append was most of encoding an alert).
    static func string(_ s: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let c = bytes[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                escape(c, &out)
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func escape(_ c: UInt8, _ out: inout [UInt8]) {
        switch c {
        case UInt8(ascii: "\""): raw("\\\"", &out)
        case UInt8(ascii: "\\"): raw("\\\\", &out)
        case 0x0A: raw("\\n", &out)
        case 0x0D: raw("\\r", &out)
        case 0x09: raw("\\t", &out)
        case 0x08: raw("\\b", &out)
        case 0x0C: raw("\\f", &out)
        default:
            let hex: StaticString = "0123456789abcdef"
            raw("\\u00", &out)
            out.append(hex.utf8Start[Int(c >> 4)])
            out.append(hex.utf8Start[Int(c & 0xF)])
        }
    }
}
