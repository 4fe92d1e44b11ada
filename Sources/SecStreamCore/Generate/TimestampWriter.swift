/// Epoch milliseconds <-> RFC 3339 UTC text (`2026-11-20T13:05:09.123Z`),
/// by hand: the generator formats one timestamp per event and Foundation's
/// formatters would dominate its cost.
public enum RFC3339 {
    public static let millisPerDay: Int64 = 86_400_000

    /// Writes `ms` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (24 bytes, no quotes), with
    /// the same writer as `EventTime.format`.
    @inline(__always)
    public static func write(_ ms: Int64, to out: OutputBuffer) {
        out.write { EventTime.write(ms, at: $0) }
    }

    /// The same text as a `String` (truth records, tests; off the hot path).
    public static func string(_ ms: Int64) -> String {
        let sink = OutputBuffer(capacity: 32)
        write(ms, to: sink)
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    /// Parses exactly the form `write` produces (UTC, `Z`, optional
    /// fraction); nil for anything else. For tests and configuration, not a
    /// general RFC 3339 reader.
    public static func parseUTC(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              b.last == UInt8(ascii: "Z") else { return nil }
        func num(_ from: Int, _ to: Int) -> Int? {
            var v = 0
            for i in from..<to {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 7), let d = num(8, 10),
              let h = num(11, 13), let mi = num(14, 16), let s = num(17, 19),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 60 else { return nil }
        var ms = 0
        if b.count > 20 {
            guard b[19] == UInt8(ascii: "."), b.count - 21 >= 1, b.count - 21 <= 3, let f = num(20, b.count - 1) else { return nil }
            ms = f * [100, 10, 1][b.count - 22]
        } else if b[19] != UInt8(ascii: "Z") {
            return nil
        }
        return EventTime.days(fromCivil: Int64(y), Int64(mo), Int64(d)) * millisPerDay
            + Int64(h * 3_600_000 + mi * 60_000 + s * 1000 + ms)
    }
}
