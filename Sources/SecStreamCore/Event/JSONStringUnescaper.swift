/// Resolves JSON string escapes (`\"`, `\\`, `\/`, `\n`, `\uXXXX` with surrogate
/// pairs) from a slot's raw bytes into a caller-provided buffer. The one
/// lenient unescaper: rule matching, group keys and query values all go
/// through it (`JSONString.unescape` is the strict, validating variant).
enum JSONStringUnescaper {
    /// Writes the unescaped bytes of `raw` to `out` (which must hold at least
    /// `raw.count` bytes: an escape never grows) and returns how many were written.
    /// A malformed escape is copied through as written.
    static func unescape(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        var i = 0
        var o = 0
        let n = raw.count
        while i < n {
            let b = raw[i]
            if b != UInt8(ascii: "\\") || i + 1 >= n {
                out[o] = b; o += 1; i += 1
                continue
            }
            let e = raw[i + 1]
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                out[o] = e; o += 1; i += 2
            case UInt8(ascii: "b"): out[o] = 0x08; o += 1; i += 2
            case UInt8(ascii: "f"): out[o] = 0x0C; o += 1; i += 2
            case UInt8(ascii: "n"): out[o] = 0x0A; o += 1; i += 2
            case UInt8(ascii: "r"): out[o] = 0x0D; o += 1; i += 2
            case UInt8(ascii: "t"): out[o] = 0x09; o += 1; i += 2
            case UInt8(ascii: "u"):
                guard var scalar = hex4(raw, i + 2) else { out[o] = b; o += 1; i += 1; continue }
                var consumed = 6
                if scalar >= 0xD800 && scalar < 0xDC00, i + 11 < n,
                   raw[i + 6] == UInt8(ascii: "\\"), raw[i + 7] == UInt8(ascii: "u"),
                   let low = hex4(raw, i + 8), low >= 0xDC00 && low < 0xE000 {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    consumed = 12
                }
                o += writeUTF8(scalar, into: out, at: o)
                i += consumed
            default:
                out[o] = b; o += 1; i += 1
            }
        }
        return o
    }

    @inline(__always)
    static func hex4(_ raw: UnsafeRawBufferPointer, _ at: Int) -> UInt32? {
        guard at + 4 <= raw.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let d = JSONLexing.hexValue(raw[at + k]) else { return nil }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    /// UTF-8 of `scalar` (a lone surrogate becomes U+FFFD, as JSON decoders do).
    @inline(__always)
    static func writeUTF8(_ scalar: UInt32, into out: UnsafeMutableRawBufferPointer, at o: Int) -> Int {
        var s = scalar
        if s >= 0xD800 && s < 0xE000 { s = 0xFFFD }
        switch s {
        case 0..<0x80:
            out[o] = UInt8(s); return 1
        case 0x80..<0x800:
            out[o] = UInt8(0xC0 | s >> 6); out[o + 1] = UInt8(0x80 | s & 0x3F); return 2
        case 0x800..<0x10000:
            out[o] = UInt8(0xE0 | s >> 12); out[o + 1] = UInt8(0x80 | s >> 6 & 0x3F)
            out[o + 2] = UInt8(0x80 | s & 0x3F); return 3
        default:
            out[o] = UInt8(0xF0 | s >> 18); out[o + 1] = UInt8(0x80 | s >> 12 & 0x3F)
            out[o + 2] = UInt8(0x80 | s >> 6 & 0x3F); out[o + 3] = UInt8(0x80 | s & 0x3F); return 4
        }
    }

    /// Calls `body` with the string value of `raw`: the bytes themselves, or for
    /// an escaped string its unescaped form in a scratch buffer on the stack
    /// (`withUnsafeTemporaryAllocation`), so matching allocates nothing per event
    /// and one matcher can be shared by worker threads.
    @inline(__always)
    static func withValue<R>(_ raw: UnsafeRawBufferPointer, escaped: Bool,
                             _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard escaped else { return body(raw) }
        return withUnsafeTemporaryAllocation(byteCount: max(raw.count, 1), alignment: 1) { scratch in
            let n = unescape(raw, into: scratch)
            return body(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
        }
    }
}
