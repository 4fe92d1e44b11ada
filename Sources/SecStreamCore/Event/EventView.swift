/// A scanned event: the raw line plus one slot per field of the schema.
/// It borrows both buffers; it is valid only while the caller keeps them alive,
/// so nothing per event is allocated.
public struct EventView {
    public let line: UnsafeRawBufferPointer
    public let slots: UnsafeBufferPointer<FieldSlot>

    public init(line: UnsafeRawBufferPointer, slots: UnsafeBufferPointer<FieldSlot>) {
        self.line = line
        self.slots = slots
    }

    @inline(__always)
    public func slot(_ field: FieldID) -> FieldSlot { slots[field] }

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
