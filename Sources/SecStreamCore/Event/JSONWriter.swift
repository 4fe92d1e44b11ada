import CJSONScan

/// The one JSON writer for the records secstream writes itself: alerts, dead
/// letters, readiness lines, query rows. Bytes, not Foundation, so the same
/// values are always the same bytes, and runs without escapes are copied
/// whole (alerts repeat titles and paths; a byte-at-a-time append was most of
/// encoding an alert).
///
/// Escaping follows RFC 8259 with the short forms for `\b \f \n \r \t`.
/// Ill-formed UTF-8 (raw log bytes) becomes U+FFFD so the record stays valid
/// JSON; callers that must keep the exact bytes write them elsewhere (a dead
/// letter's `raw_base64`). The generator's event renderer is not a client:
/// it writes only compile-time constants and numbers (`JSONObjectWriter`).
public enum JSONWriter {
    /// `bytes` as a quoted JSON string.
    public static func string(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        escaped(bytes, into: &out)
        out.append(UInt8(ascii: "\""))
    }

    public static func string(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { string(UnsafeRawBufferPointer($0), into: &out) }
    }

    /// The escaped text of `bytes`, without quotes (a long value written in pieces).
    /// Plain runs are found 64 bytes at a time (`secstream_json_string_specials64`:
    /// the same bytes the byte loop stopped at), then copied whole.
    public static func escaped(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var start = 0
        var i = 0
        let n = bytes.count
        while i < n {
            let m = specials(p, from: i, end: n)
            if m == 0 {
                i = min(n, i &+ 64)
                continue
            }
            i &+= m.trailingZeroBitCount
            let c = p[i]
            if c >= 0x80 {
                let len = UTF8Validation.sequenceLength(bytes, at: i)
                if len > 0 { i += len; continue }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                out.append(contentsOf: [0xef, 0xbf, 0xbd])
                i += 1
                start = i
                continue
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
            escape(c, into: &out)
            i += 1
            start = i
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<n]))
    }

    /// The special-byte flags of the up to 64 bytes from `i` (none past `end`):
    /// a short tail is classified in a copy padded with plain bytes.
    @inline(__always)
    private static func specials(_ p: UnsafePointer<UInt8>, from i: Int, end: Int) -> UInt64 {
        let left = end &- i
        if left >= 64 { return secstream_json_string_specials64(p + i) }
        var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0x6161_6161_6161_6161, 0x6161_6161_6161_6161, 0x6161_6161_6161_6161, 0x6161_6161_6161_6161,
             0x6161_6161_6161_6161, 0x6161_6161_6161_6161, 0x6161_6161_6161_6161, 0x6161_6161_6161_6161)
        return withUnsafeMutableBytes(of: &block) { b in
            b.baseAddress!.copyMemory(from: p + i, byteCount: left)
            return secstream_json_string_specials64(b.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Integral values as integers (`5`, not `5.0`); others in Swift's shortest
    /// round-trip form, which is valid JSON; non-finite as null.
    public static func number(_ v: Double, into out: inout [UInt8]) {
        if !v.isFinite { out.append(contentsOf: "null".utf8); return }
        if v == v.rounded(), abs(v) < 1e15 { out.append(contentsOf: String(Int64(v)).utf8); return }
        out.append(contentsOf: "\(v)".utf8)
    }

    public static func integer<T: BinaryInteger>(_ v: T, into out: inout [UInt8]) {
        out.append(contentsOf: String(v).utf8)
    }

    /// An event time as a quoted RFC 3339 UTC string with milliseconds.
    public static func time(_ ms: Int64, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        EventTime.append(ms, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    private static func escape(_ c: UInt8, into out: inout [UInt8]) {
        switch c {
        case UInt8(ascii: "\""): out.append(contentsOf: [0x5c, 0x22])
        case UInt8(ascii: "\\"): out.append(contentsOf: [0x5c, 0x5c])
        case 0x0A: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
        case 0x08: out.append(contentsOf: [0x5c, UInt8(ascii: "b")])
        case 0x0C: out.append(contentsOf: [0x5c, UInt8(ascii: "f")])
        default:
            let hex: StaticString = "0123456789abcdef"
            out.append(contentsOf: [0x5c, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            out.append(hex.utf8Start[Int(c >> 4)])
            out.append(hex.utf8Start[Int(c & 0xF)])
        }
    }
}
