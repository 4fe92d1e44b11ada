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
    /// The first 16 bytes (`YYYY-MM-DDTHH:MM`, two words) of the last time
    /// read that ends in `:SS.fffZ` (24 bytes), and that minute's epoch
    /// milliseconds: events come in time order, so most share the previous
    /// one's minute and only `:SS.fffZ` is left to read (callgrind, bench
    /// events: 125 -> 70 instructions an event).
    private var minuteWords: (UInt64, UInt64) = (0, 0)
    private var minuteMs: Int64 = 0
    private var hasMinute = false
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
        if n == 24 && hasMinute && prefix8 == minuteWords.0
            && UnsafeRawPointer(p + 8).loadUnaligned(as: UInt64.self) == minuteWords.1,
           let inMinute = EventTime.canonicalSecondInMinute(p) {
            return minuteMs &+ inMinute
        }
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
        // A time that ends in `:SS.fffZ`: its first 16 bytes, all read by this
        // parse, name its minute, which later times with the same bytes reuse.
        if n == 24, let inMinute = EventTime.canonicalSecondInMinute(p) {
            minuteWords = (prefix8, UnsafeRawPointer(p + 8).loadUnaligned(as: UInt64.self))
            minuteMs = days * 86_400_000 + ms - inMinute
            hasMinute = true
        }
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
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxTextLength) { buf in
            let n = write(ms, at: buf.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<n]))
        }
    }

    /// The most bytes `write` writes (a year of an Int64 of milliseconds has
    /// at most nine digits and a sign).
    static let maxTextLength = 32

    /// Writes `ms` as RFC 3339 UTC text with milliseconds,
    /// `2026-11-20T13:00:00.000Z`, at `p` and returns its length: 24 bytes for
    /// years 0...9999. The one writer behind `append`/`format` (alerts, dead
    /// letters, archive keys) and the generator's `RFC3339.write`.
    @inline(__always)
    static func write(_ ms: Int64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        let days = floorDiv(ms, 86_400_000)
        let rest = ms - days * 86_400_000
        let (y, m, d) = civil(fromDays: days)
        let yearLength: Int
        if y >= 0 && y <= 9999 {
            putDigits(y, 4, p)
            yearLength = 4
        } else {
            yearLength = writeWideYear(y, p)
        }
        let t = p + yearLength
        t[0] = 0x2d; putDigits(m, 2, t + 1)
        t[3] = 0x2d; putDigits(d, 2, t + 4)
        t[6] = 0x54; putDigits(rest / 3_600_000, 2, t + 7)
        t[9] = 0x3a; putDigits(rest / 60_000 % 60, 2, t + 10)
        t[12] = 0x3a; putDigits(rest / 1000 % 60, 2, t + 13)
        t[15] = 0x2e; putDigits(rest % 1000, 3, t + 16)
        t[19] = 0x5a
        return yearLength + 20
    }

    /// `v` as exactly `width` zero-padded decimal digits at `p`.
    @inline(__always)
    private static func putDigits(_ v: Int64, _ width: Int, _ p: UnsafeMutablePointer<UInt8>) {
        var x = v
        var k = width - 1
        while k >= 0 {
            p[k] = UInt8(truncatingIfNeeded: x % 10) &+ 0x30
            x /= 10
            k -= 1
        }
    }

    /// A year outside RFC 3339's four digits, written in full to keep the value readable.
    @inline(never)
    private static func writeWideYear(_ y: Int64, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        for c in String(y).utf8 {
            p[n] = c
            n += 1
        }
        return n
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
        if n == 24, let ms = canonicalTimeOfDay(p) { return ms }
        return generalTimeOfDay(p, n)
    }

    /// `parseTimeOfDay` of the form nearly every event has, `THH:MM:SS.fffZ`
    /// (24 bytes in all): the eight bytes `HH:MM:SS` checked and read as one
    /// word (each digit's high nibble 3 and low nibble at most 9, the colons
    /// in place), instead of a loop per field (profiled: 166 instructions an
    /// event). nil for anything else, which the general parser then reads.
    @inline(__always)
    static func canonicalTimeOfDay(_ p: UnsafePointer<UInt8>) -> Int64? {
        guard p[10] == 0x54, p[19] == 0x2e, p[23] == 0x5a else { return nil }
        let w = UInt64(littleEndian: UnsafeRawPointer(p + 11).loadUnaligned(as: UInt64.self))
        let f = UInt64(p[20]) | UInt64(p[21]) << 8 | UInt64(p[22]) << 16
        // Lanes 0,1 (HH), 3,4 (MM), 6,7 (SS) are digits; lanes 2 and 5 are ':'.
        let digitLanes: UInt64 = 0xFFFF_00FF_FF00_FFFF
        guard w & ~digitLanes == 0x0000_3A00_003A_0000,
              w & 0xF0F0_F0F0_F0F0_F0F0 & digitLanes == 0x3030_0030_3000_3030,
              ((w & 0x0F0F_0F0F_0F0F_0F0F & digitLanes) &+ 0x0606_0006_0600_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0,
              f & 0xF0F0F0 == 0x303030, ((f & 0x0F0F0F) &+ 0x060606) & 0xF0F0F0 == 0 else { return nil }
        @inline(__always) func lane(_ k: UInt64) -> Int64 { Int64((w &>> (8 &* k)) & 0x0F) }
        let hh = lane(0) &* 10 &+ lane(1), mm = lane(3) &* 10 &+ lane(4), ss = lane(6) &* 10 &+ lane(7)
        guard hh <= 23, mm <= 59, ss <= 60 else { return nil }  // 60: a leap second
        let frac = Int64(f & 0x0F) &* 100 &+ Int64((f &>> 8) & 0x0F) &* 10 &+ Int64((f &>> 16) & 0x0F)
        return (hh &* 3600 &+ mm &* 60 &+ ss) &* 1000 &+ frac
    }

    /// Milliseconds into its minute of a canonical time (`…THH:MM:SS.fffZ`,
    /// 24 bytes at `p`): the eight bytes `:SS.fffZ` checked and read as one
    /// word, as `canonicalTimeOfDay` reads `HH:MM:SS`. nil for anything else.
    @inline(__always)
    static func canonicalSecondInMinute(_ p: UnsafePointer<UInt8>) -> Int64? {
        let w = UInt64(littleEndian: UnsafeRawPointer(p + 16).loadUnaligned(as: UInt64.self))
        // Lanes 1,2 (SS) and 4,5,6 (fff) are digits; lane 0 is ':', 3 '.', 7 'Z'.
        let digitLanes: UInt64 = 0x00FF_FFFF_00FF_FF00
        guard w & ~digitLanes == 0x5A00_0000_2E00_003A,
              w & 0xF0F0_F0F0_F0F0_F0F0 & digitLanes == 0x0030_3030_0030_3000,
              ((w & 0x0F0F_0F0F_0F0F_0F0F & digitLanes) &+ 0x0006_0606_0006_0600) & 0xF0F0_F0F0_F0F0_F0F0 == 0
        else { return nil }
        @inline(__always) func lane(_ k: UInt64) -> Int64 { Int64((w &>> (8 &* k)) & 0x0F) }
        let ss = lane(1) &* 10 &+ lane(2)
        guard ss <= 60 else { return nil }  // 60: a leap second
        return ss &* 1000 &+ lane(4) &* 100 &+ lane(5) &* 10 &+ lane(6)
    }

    /// `parseTimeOfDay` for every form.
    static func generalTimeOfDay(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
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
}

/// Floor division (towards minus infinity), for epoch-aligned buckets and
/// days before 1970 too.
@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// What an event time given as a number counts since the Unix epoch.
public enum EpochUnit: String, Sendable {
    case milliseconds = "ms"
    case seconds = "s"
}
