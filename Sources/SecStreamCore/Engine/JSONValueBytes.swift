import Foundation

/// Turning an extracted JSON value (a `FieldSlot` range) into the bytes or the
/// number the engine keys and aggregates on, without building a `String`.
enum JSONValueBytes {
    /// Appends the value's bytes: strings unescaped (so `"a\u0062"` and `"ab"`
    /// are the same group), anything else as written.
    static func append(_ raw: UnsafeRawBufferPointer, kind: ValueKind, to out: inout [UInt8]) {
        if kind == .escapedString { appendUnescaped(raw, to: &out) } else { out.append(contentsOf: raw) }
    }

    /// JSON string unescaping (RFC 8259 §7), `\uXXXX` and surrogate pairs to UTF-8.
    /// An invalid escape is kept as written rather than failing the event.
    static func appendUnescaped(_ s: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var i = 0
        let n = s.count
        while i < n {
            let c = s[i]
            if c != UInt8(ascii: "\\") || i + 1 >= n { out.append(c); i += 1; continue }
            let e = s[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard var cp = hex4(s, i) else { out.append(UInt8(ascii: "\\")); out.append(e); continue }
                i += 4
                if cp >= 0xD800 && cp < 0xDC00, i + 6 <= n, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u"),
                   let lo = hex4(s, i + 2), lo >= 0xDC00 && lo < 0xE000 {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                }
                appendUTF8(cp, to: &out)
            default: out.append(e) // \" \\ \/ and anything else: the character itself
            }
        }
    }

    private static func hex4(_ s: UnsafeRawBufferPointer, _ at: Int) -> UInt32? {
        guard at + 4 <= s.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = s[at + k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    private static func appendUTF8(_ cp: UInt32, to out: inout [UInt8]) {
        let cp = (cp >= 0xD800 && cp < 0xE000) ? 0xFFFD : cp // lone surrogate
        if cp < 0x80 {
            out.append(UInt8(cp))
        } else if cp < 0x800 {
            out.append(UInt8(0xC0 | cp >> 6)); out.append(UInt8(0x80 | cp & 0x3F))
        } else if cp < 0x10000 {
            out.append(UInt8(0xE0 | cp >> 12)); out.append(UInt8(0x80 | cp >> 6 & 0x3F)); out.append(UInt8(0x80 | cp & 0x3F))
        } else {
            out.append(UInt8(0xF0 | cp >> 18)); out.append(UInt8(0x80 | cp >> 12 & 0x3F))
            out.append(UInt8(0x80 | cp >> 6 & 0x3F)); out.append(UInt8(0x80 | cp & 0x3F))
        }
    }

    /// The value as a number: a JSON number, or a string holding one (logs often
    /// quote byte counts). Plain integers are parsed inline; anything else goes
    /// through `strtod` on a stack copy. Returns nil when it is not a number.
    static func number(_ raw: UnsafeRawBufferPointer, kind: ValueKind) -> Double? {
        guard kind == .number || kind == .string, raw.count > 0, raw.count < 64 else { return nil }
        var i = 0
        var negative = false
        if raw[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        if i < raw.count && raw.count - i <= 15 {
            var v: Int64 = 0
            var j = i
            while j < raw.count, raw[j] >= UInt8(ascii: "0"), raw[j] <= UInt8(ascii: "9") {
                v = v * 10 + Int64(raw[j] - UInt8(ascii: "0"))
                j += 1
            }
            if j == raw.count && j > i { return Double(negative ? -v : v) }
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf -> Double? in
            for k in 0..<raw.count { buf[k] = CChar(bitPattern: raw[k]) }
            buf[raw.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(buf.baseAddress!, &end)
            guard let end, end - buf.baseAddress! == raw.count, v.isFinite else { return nil }
            return v
        }
    }
}
