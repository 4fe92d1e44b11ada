#if canImport(Glibc)
import Glibc
#endif

/// Numeric values of JSON number bytes (a `.number` slot, or digits inside a
/// string when a rule compares numerically). Strict JSON number syntax; the
/// whole buffer must be the number.
public enum JSONNumber {
    /// Exact powers of ten representable in a Double (Clinger's fast path).
    private static let powersOfTen: [Double] = (0...22).map { e in
        var v = 1.0
        for _ in 0..<e { v *= 10 }
        return v
    }

    public static func parseDouble(_ raw: UnsafeRawBufferPointer) -> Double? {
        let n = raw.count
        guard n > 0, let base = raw.baseAddress else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)
        guard JSONLexing.scanNumber(p, 0, n) == n else { return nil }
        // Fast path: up to 19 significant digits and a small exponent convert
        // exactly as mantissa * 10^e with one correctly rounded operation.
        var i = 0
        let negative = p[0] == 0x2d
        if negative { i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        while i < n && JSONLexing.isDigit(p[i]) {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30); if mantissa > 0 { digits += 1 } }
            else { exponent += 1; digits += 1 }
            i += 1
        }
        if i < n && p[i] == 0x2e {
            i += 1
            while i < n && JSONLexing.isDigit(p[i]) {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
                    if mantissa > 0 { digits += 1 }
                    exponent -= 1
                } else {
                    digits += 1
                }
                i += 1
            }
        }
        if i < n {  // exponent part
            i += 1
            var expNegative = false
            if p[i] == 0x2b || p[i] == 0x2d { expNegative = p[i] == 0x2d; i += 1 }
            var e = 0
            while i < n {
                if e < 100_000 { e = e * 10 + Int(p[i] &- 0x30) }
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        if digits <= 19 && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            var v = Double(mantissa)
            v = exponent >= 0 ? v * powersOfTen[exponent] : v / powersOfTen[-exponent]
            return negative ? -v : v
        }
        return slowParse(p, n)
    }

    public static func parseInt64(_ raw: UnsafeRawBufferPointer) -> Int64? {
        let n = raw.count
        guard n > 0 else { return nil }
        var i = 0
        let negative = raw[0] == 0x2d
        if negative { i = 1 }
        guard i < n else { return nil }
        if raw[i] == 0x30 && n > i + 1 { return nil }  // no leading zeros in JSON
        // Accumulate negatively so Int64.min parses too.
        var v: Int64 = 0
        while i < n {
            let d = raw[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            v = s
            i += 1
        }
        if negative { return v }
        return v == Int64.min ? nil : -v
    }

    public static func parseDouble(_ bytes: [UInt8]) -> Double? {
        bytes.withUnsafeBytes { parseDouble($0) }
    }

    public static func parseInt64(_ bytes: [UInt8]) -> Int64? {
        bytes.withUnsafeBytes { parseInt64($0) }
    }

    /// Long or extreme numbers: the C library's correctly rounded strtod on a
    /// NUL-terminated copy (JSON number syntax is a subset of strtod's).
    private static func slowParse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
            for k in 0..<n { buf[k] = CChar(bitPattern: p[k]) }
            buf[n] = 0
            return strtod(buf.baseAddress!, nil)
        }
    }
}
