/// Minimal JSON text helpers for the records the pipeline writes itself
/// (dead letters, summaries). Alerts have their own encoder in the engine.
enum JSONText {
    /// Appends `bytes` as a JSON string. Invalid UTF-8 is replaced by U+FFFD so
    /// the record stays valid JSON; callers keep the exact bytes elsewhere.
    static func appendString(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(0x22)
        appendEscaped(bytes, to: &out)
        out.append(0x22)
    }

    /// The JSON string escapes of `bytes`, without the quotes (ill-formed
    /// UTF-8 becomes U+FFFD).
    static func appendEscaped(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            switch b {
            case 0x22: out.append(0x5c); out.append(0x22); i += 1
            case 0x5c: out.append(0x5c); out.append(0x5c); i += 1
            case 0x0a: out.append(0x5c); out.append(0x6e); i += 1
            case 0x0d: out.append(0x5c); out.append(0x72); i += 1
            case 0x09: out.append(0x5c); out.append(0x74); i += 1
            case 0..<0x20:
                out.append(contentsOf: [0x5c, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]]); i += 1
            case 0x20..<0x80: out.append(b); i += 1
            default:
                let len = utf8SequenceLength(bytes, at: i)
                if len == 0 {
                    out.append(contentsOf: [0xef, 0xbf, 0xbd]); i += 1
                } else {
                    for k in 0..<len { out.append(bytes[i + k]) }
                    i += len
                }
            }
        }
    }

    static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 { i += 1; continue }
            let len = utf8SequenceLength(bytes, at: i)
            if len == 0 { return false }
            i += len
        }
        return true
    }

    /// Length of the well-formed UTF-8 sequence at `i`, or 0 if it is not one.
    private static func utf8SequenceLength(_ b: UnsafeRawBufferPointer, at i: Int) -> Int {
        let c = b[i]
        let n = b.count
        func cont(_ k: Int) -> Bool { i + k < n && b[i + k] & 0xc0 == 0x80 }
        switch c {
        case 0xc2...0xdf: return cont(1) ? 2 : 0
        case 0xe0:
            return i + 1 < n && (0xa0...0xbf).contains(b[i + 1]) && cont(2) ? 3 : 0
        case 0xe1...0xec, 0xee...0xef: return cont(1) && cont(2) ? 3 : 0
        case 0xed:
            return i + 1 < n && (0x80...0x9f).contains(b[i + 1]) && cont(2) ? 3 : 0
        case 0xf0:
            return i + 1 < n && (0x90...0xbf).contains(b[i + 1]) && cont(2) && cont(3) ? 4 : 0
        case 0xf1...0xf3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xf4:
            return i + 1 < n && (0x80...0x8f).contains(b[i + 1]) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
