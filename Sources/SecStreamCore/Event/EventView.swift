/// A scanned event: the raw line plus one slot per field of the schema.
/// It borrows both buffers; it is valid only while the caller keeps them alive,
/// so nothing per event is allocated.
public struct EventView {
    public let line: UnsafeRawBufferPointer
    public let slots: UnsafeBufferPointer<FieldSlot>
    /// Keeps escaped string values once unescaped (reset for this event by
    /// the caller); nil: each use unescapes on the stack.
    public let unescaped: UnescapeCache?

    public init(line: UnsafeRawBufferPointer, slots: UnsafeBufferPointer<FieldSlot>, unescaped: UnescapeCache? = nil) {
        self.line = line
        self.slots = slots
        self.unescaped = unescaped
    }

    /// The index of the first of `candidates` present in the event, or -1.
    @inline(__always)
    func firstPresentField(_ candidates: UnsafeBufferPointer<FieldID>) -> Int {
        for c in candidates where slots[c].kind != .missing { return c }
        return -1
    }

    /// Calls `body` with the value of string or scalar `slot` (field `field`):
    /// its bytes, or for an escaped string its unescaped form (from the cache,
    /// else decoded on the stack).
    @inline(__always)
    func withValue<R>(field: Int, _ slot: FieldSlot, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let raw = UnsafeRawBufferPointer(rebasing: line[Int(slot.start)..<Int(slot.end)])
        guard slot.kind == .escapedString else { return body(raw) }
        if let unescaped { return body(unescaped.value(field: field, raw: raw)) }
        return JSONStringUnescaper.withValue(raw, escaped: true, body)
    }

    @inline(__always)
    public func slot(_ field: FieldID) -> FieldSlot { slots[field] }

    /// Calls `body` with the value of `field` (unescaped when it has to be),
    /// or returns nil when the field is missing or not a scalar: what the
    /// window features (`SecStreamLearn`) read of an event.
    @inline(__always)
    public func withScalarValue<R>(_ field: FieldID, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        let s = slots[field]
        switch s.kind {
        case .missing, .object, .array, .null: return nil
        default: return withValue(field: field, s, body)
        }
    }

    /// The slot of the first of `candidates` present in the event, or
    /// `.missing`: after the field map a Sigma field may stand for several
    /// event fields, and its value is the first one present.
    @inline(__always)
    public func firstPresent<C: Sequence>(_ candidates: C) -> FieldSlot where C.Element: BinaryInteger {
        for c in candidates {
            let s = slots[Int(c)]
            if s.kind != .missing { return s }
        }
        return .missing
    }

    /// The raw bytes of a field's value (for strings: between the quotes, escapes
    /// not yet resolved). Empty for a missing field.
    @inline(__always)
    public func raw(_ field: FieldID) -> UnsafeRawBufferPointer {
        let s = slots[field]
        if s.kind == .missing { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: line[Int(s.start)..<Int(s.end)])
    }
}
