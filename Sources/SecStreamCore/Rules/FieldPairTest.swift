
/// `field|fieldref: other`: the two fields hold equal values in the same
/// event (compared as unescaped bytes, case-sensitive, as pySigma's SQL
/// backends compare two columns). A missing field equals nothing.
struct FieldPairTest {
    let left: UnsafeBufferPointer<FieldID>
    let right: UnsafeBufferPointer<FieldID>

    init(left: FieldRef, right: FieldRef, arena: MatcherArena) {
        self.left = arena.store(left.candidates)
        self.right = arena.store(right.candidates)
    }

    func matches(_ event: EventView) -> Bool {
        let a = event.firstPresent(left), b = event.firstPresent(right)
        guard a.kind != .missing, b.kind != .missing else { return false }
        let rawA = UnsafeRawBufferPointer(rebasing: event.line[Int(a.start)..<Int(a.end)])
        let rawB = UnsafeRawBufferPointer(rebasing: event.line[Int(b.start)..<Int(b.end)])
        return JSONStringUnescaper.withValue(rawA, escaped: a.kind == .escapedString) { va in
            JSONStringUnescaper.withValue(rawB, escaped: b.kind == .escapedString) { vb in
                va.elementsEqual(vb)
            }
        }
    }
}
