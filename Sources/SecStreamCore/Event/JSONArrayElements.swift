/// The elements of an `.array` slot, each as a `FieldSlot` (offsets relative
/// to the line, strings without their quotes), so that rule predicates match
/// array values (`"event.category": ["authentication", "network"]`) with the
/// same code as single values. Nested containers come back whole, as
/// `.object` / `.array` slots.
///
/// Relies on the line having been validated by `FieldScanner.scan`.
public struct JSONArrayElements: Sequence, IteratorProtocol {
    private let p: UnsafePointer<UInt8>?
    private var i: Int
    private let end: Int  // index of the closing `]`

    public init(line: UnsafeRawBufferPointer, slot: FieldSlot) {
        if slot.kind == .array, let base = line.baseAddress, slot.count >= 2 {
            p = base.assumingMemoryBound(to: UInt8.self)
            i = Int(slot.start) + 1
            end = Int(slot.end) - 1
        } else {
            p = nil
            i = 0
            end = 0
        }
    }

    public init(_ event: EventView, _ field: FieldID) {
        self.init(line: event.line, slot: event.slot(field))
    }

    public mutating func next() -> FieldSlot? {
        guard let p else { return nil }
        i = JSONLexing.skipWhitespace(p, i, end)
        if i < end && p[i] == 0x2c { i = JSONLexing.skipWhitespace(p, i + 1, end) }
        guard i < end else { return nil }
        let start = i
        switch p[i] {
        case JSONLexing.quote:
            var j = i + 1
            var escaped = false
            while j < end && p[j] != JSONLexing.quote {
                if p[j] == JSONLexing.backslash { escaped = true; j += 1 }
                j += 1
            }
            i = j + 1
            return FieldSlot(start: Int32(start + 1), end: Int32(j), kind: escaped ? .escapedString : .string)
        case 0x7b, 0x5b:
            i = containerEnd(p, i)
            return FieldSlot(start: Int32(start), end: Int32(i), kind: p[start] == 0x7b ? .object : .array)
        case 0x74: i += 4; return FieldSlot(start: Int32(start), end: Int32(i), kind: .trueValue)
        case 0x66: i += 5; return FieldSlot(start: Int32(start), end: Int32(i), kind: .falseValue)
        case 0x6e: i += 4; return FieldSlot(start: Int32(start), end: Int32(i), kind: .null)
        default:
            while i < end && !JSONLexing.isWhitespace(p[i]) && p[i] != 0x2c { i += 1 }
            return FieldSlot(start: Int32(start), end: Int32(i), kind: .number)
        }
    }

    /// Index just past the container opening at `start` (depth counting; strings skipped).
    private func containerEnd(_ p: UnsafePointer<UInt8>, _ start: Int) -> Int {
        var depth = 0
        var j = start
        while j < end {
            switch p[j] {
            case 0x7b, 0x5b: depth += 1
            case 0x7d, 0x5d:
                depth -= 1
                if depth == 0 { return j + 1 }
            case JSONLexing.quote:
                j += 1
                while j < end && p[j] != JSONLexing.quote {
                    if p[j] == JSONLexing.backslash { j += 1 }
                    j += 1
                }
            default: break
            }
            j += 1
        }
        return end
    }
}
