/// Epoch milliseconds <-> RFC 3339 UTC text (`2026-11-20T13:05:09.123Z`),
/// by hand: the generator formats one timestamp per event and Foundation's
/// formatters would dominate its cost.
public enum RFC3339 {
    public static let millisPerDay: Int64 = 86_400_000

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number (inverse of `daysFromCivil`).
    public static func civilFromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    /// Writes `ms` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (24 bytes, no quotes).
    @inline(__always)
    public static func write(_ ms: Int64, to out: OutputBuffer) {
        var days = ms / millisPerDay
        var rem = ms % millisPerDay
        if rem < 0 { rem += millisPerDay; days -= 1 }
        let date = civilFromDays(days)
        out.zeroPadded(date.year, width: 4)
        out.byte(UInt8(ascii: "-"))
        out.zeroPadded(date.month, width: 2)
        out.byte(UInt8(ascii: "-"))
        out.zeroPadded(date.day, width: 2)
        out.byte(UInt8(ascii: "T"))
        let r = Int(rem)
        out.zeroPadded(r / 3_600_000, width: 2)
        out.byte(UInt8(ascii: ":"))
        out.zeroPadded(r / 60_000 % 60, width: 2)
        out.byte(UInt8(ascii: ":"))
        out.zeroPadded(r / 1000 % 60, width: 2)
        out.byte(UInt8(ascii: "."))
        out.zeroPadded(r % 1000, width: 3)
        out.byte(UInt8(ascii: "Z"))
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
        return daysFromCivil(year: y, month: mo, day: d) * millisPerDay
            + Int64(h * 3_600_000 + mi * 60_000 + s * 1000 + ms)
    }
}
