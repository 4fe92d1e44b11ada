/// Epoch milliseconds to RFC 3339 UTC with milliseconds (`2026-11-20T13:00:00.000Z`),
/// written byte by byte for the alert encoder. Days to civil date by Howard
/// Hinnant's `civil_from_days`, valid for any proleptic Gregorian date.
enum RFC3339 {
    static func append(millis: Int64, to out: inout [UInt8]) {
        let ms = Int(((millis % 1000) + 1000) % 1000)
        let secs = (millis - Int64(ms)) / 1000
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        appendDigits(year, 4, &out); out.append(UInt8(ascii: "-"))
        appendDigits(month, 2, &out); out.append(UInt8(ascii: "-"))
        appendDigits(day, 2, &out); out.append(UInt8(ascii: "T"))
        appendDigits(Int(rem / 3600), 2, &out); out.append(UInt8(ascii: ":"))
        appendDigits(Int(rem % 3600 / 60), 2, &out); out.append(UInt8(ascii: ":"))
        appendDigits(Int(rem % 60), 2, &out); out.append(UInt8(ascii: "."))
        appendDigits(ms, 3, &out); out.append(UInt8(ascii: "Z"))
    }

    static func string(millis: Int64) -> String {
        var out: [UInt8] = []
        append(millis: millis, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendDigits(_ v: Int, _ width: Int, _ out: inout [UInt8]) {
        var v = v
        if v < 0 { out.append(UInt8(ascii: "-")); v = -v }
        var buf = [UInt8](repeating: UInt8(ascii: "0"), count: max(width, 10))
        var i = buf.count
        repeat { i -= 1; buf[i] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 } while v > 0
        out.append(contentsOf: buf[min(i, buf.count - width)...])
    }
}
