/// Well-formed UTF-8 (RFC 3629: no overlongs, surrogates or values past
/// U+10FFFF), checked on raw bytes: log lines are attacker-written, and the
/// records secstream writes about them must stay valid JSON.
public enum UTF8Validation {
    public static func isWellFormed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 { i += 1; continue }
            let len = sequenceLength(bytes, at: i)
            if len == 0 { return false }
            i += len
        }
        return true
    }

    /// Length of the well-formed sequence starting at `i`, or 0 when the bytes
    /// there are not one (a stray continuation byte, an overlong, a truncation).
    @inline(__always)
    public static func sequenceLength(_ b: UnsafeRawBufferPointer, at i: Int) -> Int {
        let c = b[i]
        let n = b.count
        func cont(_ k: Int) -> Bool { i + k < n && b[i + k] & 0xc0 == 0x80 }
        switch c {
        case 0x00..<0x80: return 1
        case 0xc2...0xdf: return cont(1) ? 2 : 0
        case 0xe0: return i + 1 < n && (0xa0...0xbf).contains(b[i + 1]) && cont(2) ? 3 : 0
        case 0xe1...0xec, 0xee...0xef: return cont(1) && cont(2) ? 3 : 0
        case 0xed: return i + 1 < n && (0x80...0x9f).contains(b[i + 1]) && cont(2) ? 3 : 0
        case 0xf0: return i + 1 < n && (0x90...0xbf).contains(b[i + 1]) && cont(2) && cont(3) ? 4 : 0
        case 0xf1...0xf3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xf4: return i + 1 < n && (0x80...0x8f).contains(b[i + 1]) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
