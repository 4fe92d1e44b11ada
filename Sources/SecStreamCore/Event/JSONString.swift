/// Resolving JSON string escapes, for the rare values that contain them
/// (`ValueKind.escapedString`); plain strings are compared as they are.
public enum JSONString {
    /// Replaces `out`'s contents with the unescaped UTF-8 of the string body
    /// `raw` (the bytes between the quotes). Handles every JSON escape,
    /// `\uXXXX` included, with surrogate pairs combined. Returns false for an
    /// invalid escape or an unpaired surrogate.
    public static func unescape(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(raw.count)
        let n = raw.count
        var i = 0
        while i < n {
            let c = raw[i]
            if c != JSONLexing.backslash {
                // Copy the run up to the next backslash in one go.
                var j = i + 1
                while j < n && raw[j] != JSONLexing.backslash { j += 1 }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i..<j]))
                i = j
                continue
            }
            guard i + 1 < n else { return false }
            switch raw[i + 1] {
            case 0x22: out.append(0x22)
            case 0x5c: out.append(0x5c)
            case 0x2f: out.append(0x2f)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0c)
            case 0x6e: out.append(0x0a)
            case 0x72: out.append(0x0d)
            case 0x74: out.append(0x09)
            case 0x75:
                guard let unit = hex4(raw, i + 2) else { return false }
                var scalar = UInt32(unit)
                i += 6
                if unit >= 0xd800 && unit < 0xdc00 {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard i + 1 < n, raw[i] == JSONLexing.backslash, raw[i + 1] == 0x75,
                          let low = hex4(raw, i + 2), low >= 0xdc00, low < 0xe000 else { return false }
                    scalar = 0x10000 + ((UInt32(unit) - 0xd800) << 10) + (UInt32(low) - 0xdc00)
                    i += 6
                } else if unit >= 0xdc00 && unit < 0xe000 {
                    return false
                }
                appendUTF8(scalar, to: &out)
                continue
            default:
                return false
            }
            i += 2
        }
        return true
    }

    /// Convenience for off-hot-path callers: the string value of a string slot's raw bytes.
    public static func decode(_ raw: UnsafeRawBufferPointer, kind: ValueKind) -> String? {
        switch kind {
        case .string:
            return String(decoding: raw, as: UTF8.self)
        case .escapedString:
            var out: [UInt8] = []
            guard unescape(raw, into: &out) else { return nil }
            return String(decoding: out, as: UTF8.self)
        default:
            return nil
        }
    }

    private static func hex4(_ raw: UnsafeRawBufferPointer, _ at: Int) -> UInt16? {
        JSONStringUnescaper.hex4(raw, at).map { UInt16($0) }
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(byteCount: 4, alignment: 1) { buf in
            let n = JSONStringUnescaper.writeUTF8(scalar, into: buf, at: 0)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[0..<n]))
        }
    }
}
