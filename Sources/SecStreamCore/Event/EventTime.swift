/// Event time as epoch milliseconds (UTC), parsed by hand from the bytes of
/// the time field: RFC 3339 (`2026-11-20T13:00:00.123+01:00`, `Z`, `T` or a
/// space between date and time, fractional seconds of any length truncated to
/// milliseconds; a missing offset is read as UTC) or a JSON number of epoch
/// milliseconds (integer or fractional, floored) — or of epoch seconds with
/// `epochUnit: .seconds` (Zeek's `ts`, `1591367999.305988`).
///
/// The parser remembers the last date it converted: events of one stream
/// share their date, so most calls skip the calendar arithmetic. Keep one
/// parser per thread.
public struct EventTimeParser {
    /// The first 10 bytes (`YYYY-MM-DD`) of the last date parsed, and its day number.
    private var cachedPrefix8: UInt64 = 0
    private var cachedPrefix2: UInt16 = 0
    private var cachedDays: Int64 = 0
    private var hasCache = false
    /// What a number (or a string of digits) counts.
    public let epochUnit: EpochUnit

    public init(epochUnit: EpochUnit = .milliseconds) { self.epochUnit = epochUnit }

    public mutating func parse(_ raw: UnsafeRawBufferPointer, kind: ValueKind) -> Int64? {
        switch kind {
        case .string:
            if let ms = parseRFC3339(raw) { return ms }
            if epochUnit == .seconds { return EventTime.epochMs(fromSeconds: raw) }
            return EventTime.parseEpochDigits(raw)
        case .number:
            if epochUnit == .seconds { return EventTime.epochMs(fromSeconds: raw) }
            return EventTime.epochMs(fromNumber: raw)
        case .escapedString:
            var out: [UInt8] = []
            guard JSONString.unescape(raw, into: &out) else { return nil }
            return out.withUnsafeBytes { bytes in
                parseRFC3339(bytes) ?? EventTime.parseEpochDigits(bytes)
            }
        default:
            return nil
        }
    }

    public mutating func parseRFC3339(_ raw: UnsafeRawBufferPointer) -> Int64? {
        let n = raw.count
        guard n >= 19, let base = raw.baseAddress else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let prefix8 = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        let prefix2 = UnsafeRawPointer(p + 8).loadUnaligned(as: UInt16.self)
        let days: Int64
        if hasCache && prefix8 == cachedPrefix8 && prefix2 == cachedPrefix2 {
            days = cachedDays
        } else {
            guard let d = EventTime.parseDate(p) else { return nil }
            days = d
            cachedPrefix8 = prefix8
            cachedPrefix2 = prefix2
            cachedDays = d
            hasCache = true
        }
        guard let ms = EventTime.parseTimeOfDay(p, n) else { return nil }
        return days * 86_400_000 + ms
    }
}

public enum EventTime {
    /// Parses without a cache (off the hot path). See `EventTimeParser`.
    public static func parse(_ raw: UnsafeRawBufferPointer, kind: ValueKind) -> Int64? {
        var parser = EventTimeParser()
        return parser.parse(raw, kind: kind)
    }

    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0), kind: .string) }
    }

    /// A time given on the command line: a date (`2026-11-20`, midnight UTC),
    /// an RFC 3339 date-time, or epoch milliseconds.
    public static func parseCLITime(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { buf -> Int64? in
            let raw = UnsafeRawBufferPointer(buf)
            if raw.count == 10, let days = parseDate(buf.baseAddress!) { return days * 86_400_000 }
            return parse(raw, kind: .string)
        }
    }

    /// `2026-11-20T13:00:00.000Z`.
    public static func format(_ ms: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        append(ms, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `2026-11-20T13:00:00.000Z` (24 bytes) to `out`.
    public static func append(_ ms: Int64, to out: inout [UInt8]) {
        let days = floorDiv(ms, 86_400_000)
        var rest = ms - days * 86_400_000
        let (y, m, d) = civil(fromDays: days)
        let hour = rest / 3_600_000
        rest %= 3_600_000
        let minute = rest / 60_000
        rest %= 60_000
        let second = rest / 1000
        let milli = rest % 1000
        if y < 0 || y > 9999 {
            // Outside RFC 3339's four-digit years: keep the value readable.
            out.append(contentsOf: Array(String(y).utf8))
        } else {
            appendDigits(y, 4, &out)
        }
        out.append(0x2d); appendDigits(m, 2, &out)
        out.append(0x2d); appendDigits(d, 2, &out)
        out.append(0x54); appendDigits(hour, 2, &out)
        out.append(0x3a); appendDigits(minute, 2, &out)
        out.append(0x3a); appendDigits(second, 2, &out)
        out.append(0x2e); appendDigits(milli, 3, &out)
        out.append(0x5a)
    }

    // MARK: - Pieces

    /// Days since 1970-01-01 of `YYYY-MM-DD` at `p` (10 bytes, validated).
    static func parseDate(_ p: UnsafePointer<UInt8>) -> Int64? {
        guard p[4] == 0x2d, p[7] == 0x2d,
              let y = digits(p, 0, 4), let m = digits(p, 5, 2), let d = digits(p, 8, 2),
              m >= 1, m <= 12, d >= 1, d <= daysInMonth(y, m) else { return nil }
        return days(fromCivil: y, m, d)
    }

    /// Milliseconds from midnight UTC of `THH:MM:SS[.frac](Z|±HH:MM)?` at byte 10
    /// to the end (`n`), offset applied.
    static func parseTimeOfDay(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        let sep = p[10]
        guard sep == 0x54 || sep == 0x74 || sep == 0x20, p[13] == 0x3a, p[16] == 0x3a,
              let hh = digits(p, 11, 2), let mm = digits(p, 14, 2), let ss = digits(p, 17, 2),
              hh <= 23, mm <= 59, ss <= 60 else { return nil }  // 60: a leap second
        var ms = (hh * 3600 + mm * 60 + ss) * 1000
        var i = 19
        if i < n && p[i] == 0x2e {
            i += 1
            let fracStart = i
            var scale: Int64 = 100
            while i < n && JSONLexing.isDigit(p[i]) {
                ms += Int64(p[i] - 0x30) * scale  // digits past the third add 0: truncation
                scale /= 10
                i += 1
            }
            guard i > fracStart else { return nil }
        }
        if i == n { return ms }  // no offset: UTC
        switch p[i] {
        case 0x5a, 0x7a:  // Z z
            return i + 1 == n ? ms : nil
        case 0x2b, 0x2d:  // + -
            let sign: Int64 = p[i] == 0x2b ? 1 : -1
            // ±HH:MM, ±HHMM or ±HH
            guard i + 3 <= n, let oh = digits(p, i + 1, 2), oh <= 23 else { return nil }
            var om: Int64 = 0
            if n == i + 6 && p[i + 3] == 0x3a {
                guard let v = digits(p, i + 4, 2) else { return nil }
                om = v
            } else if n == i + 5 {
                guard let v = digits(p, i + 3, 2) else { return nil }
                om = v
            } else if n != i + 3 {
                return nil
            }
            guard om <= 59 else { return nil }
            // Local time = UTC + offset, so UTC = local - offset.
            return ms - sign * (oh * 3600 + om * 60) * 1000
        default:
            return nil
        }
    }

    /// A JSON number of epoch milliseconds.
    static func epochMs(fromNumber raw: UnsafeRawBufferPointer) -> Int64? {
        if let v = JSONNumber.parseInt64(raw) { return v }
        guard let d = JSONNumber.parseDouble(raw), d.isFinite,
              d > -9.2e18, d < 9.2e18 else { return nil }
        return Int64(d.rounded(.down))
    }

    /// A number of epoch seconds (integer or fractional), as milliseconds, floored.
    static func epochMs(fromSeconds raw: UnsafeRawBufferPointer) -> Int64? {
        guard let d = JSONNumber.parseDouble(raw), d.isFinite, d > -9.2e15, d < 9.2e15 else { return nil }
        return Int64((d * 1000).rounded(.down))
    }

    /// A string of only digits (optionally signed): epoch milliseconds.
    static func parseEpochDigits(_ raw: UnsafeRawBufferPointer) -> Int64? {
        guard raw.count > 0, raw.count <= 19 else { return nil }
        return JSONNumber.parseInt64(raw)
    }

    @inline(__always)
    private static func digits(_ p: UnsafePointer<UInt8>, _ at: Int, _ count: Int) -> Int64? {
        var v: Int64 = 0
        for k in 0..<count {
            let d = p[at + k] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
        }
        return v
    }

    static func isLeapYear(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return isLeapYear(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm:
    /// years counted from March so the leap day is the last day of the year).
    static func days(fromCivil y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let yy = m <= 2 ? y - 1 : y
        let era = floorDiv(yy, 400)
        let yoe = yy - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func appendDigits(_ v: Int64, _ width: Int, _ out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var v = v
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: v / divisor) + 0x30)
            v %= divisor
            divisor /= 10
        }
    }
}

/// What an event time given as a number counts since the Unix epoch.
public enum EpochUnit: String, Sendable {
    case milliseconds = "ms"
    case seconds = "s"
}
