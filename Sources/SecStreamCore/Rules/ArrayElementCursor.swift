/// Walks the elements of a JSON array slot (`[ ... ]`, brackets included) so
/// a rule value matches an array field when any element matches. Kept inside
/// the rule matcher on purpose: it only needs element boundaries and kinds,
/// not a general JSON reader.
struct ArrayElementCursor {
    private let bytes: UnsafeRawBufferPointer
    private var i: Int

    init(_ array: UnsafeRawBufferPointer) {
        bytes = array
        i = 1  // after '['
    }

    /// The next element's range (strings without quotes) and kind, or nil at `]`
    /// or at malformed input.
    mutating func next() -> (start: Int, end: Int, kind: ValueKind)? {
        skipSpaceAndCommas()
        guard i < bytes.count else { return nil }
        let c = bytes[i]
        switch c {
        case UInt8(ascii: "]"):
            return nil
        case UInt8(ascii: "\""):
            let start = i + 1
            var j = start
            var escaped = false
            while j < bytes.count, bytes[j] != UInt8(ascii: "\"") {
                if bytes[j] == UInt8(ascii: "\\") { escaped = true; j += 1 }
                j += 1
            }
            guard j < bytes.count else { return nil }
            i = j + 1
            return (start, j, escaped ? .escapedString : .string)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let start = i
            guard let end = skipNested() else { return nil }
            return (start, end, c == UInt8(ascii: "[") ? .array : .object)
        default:
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { break }
                i += 1
            }
            let kind: ValueKind
            switch c {
            case UInt8(ascii: "t"): kind = .trueValue
            case UInt8(ascii: "f"): kind = .falseValue
            case UInt8(ascii: "n"): kind = .null
            default: kind = .number
            }
            return (start, i, kind)
        }
    }

    private mutating func skipSpaceAndCommas() {
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: ",") || b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return }
            i += 1
        }
    }

    /// Skips a nested array or object by depth counting (strings skipped whole);
    /// returns the end offset (after the closing bracket).
    private mutating func skipNested() -> Int? {
        var depth = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\") { i += 1 }
                    i += 1
                }
            } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1
            } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { i += 1; return i }
            }
            i += 1
        }
        return nil
    }
}
