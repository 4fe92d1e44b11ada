/// One `field|modifiers: values` entry of a selection, compiled. A plain value:
/// its lists live in the rule's `MatcherArena`.
struct FieldTest {
    /// How the values combine: Sigma's default OR, `|all`, or `|neq` (none equal).
    enum Combine { case any, all, none }

    /// The event fields the Sigma field stands for (after the field map); the
    /// first one present is the value, as `FieldRef` defines.
    let candidates: UnsafeBufferPointer<FieldID>
    /// Cheapest first (OR and AND commute for these pure tests).
    let tests: UnsafeBufferPointer<ValueTest>
    /// What an event value is tested with: with many caseless exact/prefix/suffix
    /// values (and `any` or `none`), those in `affixes` and the others in
    /// `rest`; else `rest` is `tests`. Out of line (in the arena): inline it
    /// made every field test 80 bytes larger, and the matcher copied each one
    /// it visited with a `memmove`.
    let affixes: UnsafePointer<AffixIndex>?
    let rest: UnsafeBufferPointer<ValueTest>
    let combine: Combine
    /// `|exists: true/false`: only presence counts, whatever the value (even null).
    let exists: Bool?
    /// The result for a field absent from the event (decided at compile time:
    /// `null` in the values matches it; `neq` holds for it).
    let matchesMissing: Bool

    init(field: FieldRef, tests: [ValueTest], combine: Combine, exists: Bool? = nil, arena: MatcherArena) {
        self.candidates = arena.store(field.candidates)
        let sorted = tests.sorted { $0.cost < $1.cost }
        self.tests = arena.store(sorted)
        self.combine = combine
        let indexable = sorted.compactMap { t -> StringPattern? in
            if case .string(let p) = t, AffixIndex.accepts(p) { return p }
            return nil
        }
        if combine != .all && indexable.count >= AffixIndex.minimumValues {
            affixes = arena.store([AffixIndex(indexable, arena: arena)]).baseAddress
            rest = arena.store(sorted.filter { t in
                if case .string(let p) = t, AffixIndex.accepts(p) { return false }
                return true
            })
        } else {
            affixes = nil
            rest = self.tests
        }
        self.exists = exists
        switch combine {
        case .any: matchesMissing = tests.contains { $0.isNull }
        case .all: matchesMissing = !tests.isEmpty && tests.allSatisfy { $0.isNull }
        case .none: matchesMissing = !tests.contains { $0.isNull }
        }
    }

    var cost: Int {
        if exists != nil { return 1 }
        // The index costs about one hashed walk of the value.
        return rest.reduce(affixes == nil ? 0 : 12) { $0 + $1.cost }
    }

    @inline(__always)
    func matches(_ event: EventView) -> Bool {
        let field = event.firstPresentField(candidates)
        if let wanted = exists { return (field >= 0) == wanted }
        guard field >= 0 else { return matchesMissing }
        let slot = event.slots[field]
        if slot.kind == .array {
            return matchesArray(UnsafeRawBufferPointer(rebasing: event.line[Int(slot.start)..<Int(slot.end)]))
        }
        return event.withValue(field: field, slot) { value in matchesScalar(value, slot.kind) }
    }

    @inline(__always)
    private func matchesScalar(_ value: UnsafeRawBufferPointer, _ kind: ValueKind) -> Bool {
        switch combine {
        case .any:
            return anyMatches(value, kind)
        case .all:
            for t in tests where !t.matches(value, kind) { return false }
            return true
        case .none:
            return !anyMatches(value, kind)
        }
    }

    /// Whether one of the values matches (the index, then the others).
    @inline(__always)
    private func anyMatches(_ value: UnsafeRawBufferPointer, _ kind: ValueKind) -> Bool {
        if let affixes {
            // As `ValueTest.string` reads a value: strings, numbers and booleans by their text.
            switch kind {
            case .string, .escapedString, .number, .trueValue, .falseValue:
                if affixes.pointee.matches(value) { return true }
            default: break
            }
        }
        for t in rest where t.matches(value, kind) { return true }
        return false
    }

    /// An array field matches a value when one of its elements does
    /// (with `|all`: every value is matched by some element).
    private func matchesArray(_ array: UnsafeRawBufferPointer) -> Bool {
        switch combine {
        case .any:
            return anyElement(of: array) { value, kind in anyMatches(value, kind) }
        case .all:
            return tests.allSatisfy { t in anyElement(of: array) { t.matches($0, $1) } }
        case .none:
            return !anyElement(of: array) { value, kind in anyMatches(value, kind) }
        }
    }

    private func anyElement(of array: UnsafeRawBufferPointer,
                            where predicate: (UnsafeRawBufferPointer, ValueKind) -> Bool) -> Bool {
        var cursor = ArrayElementCursor(array)
        while let e = cursor.next() {
            let raw = UnsafeRawBufferPointer(rebasing: array[e.start..<e.end])
            let hit: Bool
            if e.kind == .array {
                hit = anyElement(of: raw, where: predicate)
            } else {
                hit = JSONStringUnescaper.withValue(raw, escaped: e.kind == .escapedString) { predicate($0, e.kind) }
            }
            if hit { return true }
        }
        return false
    }
}

/// Keyword search: values matched anywhere in the raw line, case-insensitively.
/// The patterns are compiled against the JSON-escaped form of each keyword, so
/// `C:\Windows` finds `C:\\Windows` in the line without unescaping it.
struct KeywordTest {
    let patterns: UnsafeBufferPointer<StringPattern>
    let requireAll: Bool

    var cost: Int { 20 + patterns.count * 10 }

    @inline(__always)
    func matches(_ event: EventView) -> Bool {
        if requireAll {
            for p in patterns where !p.matches(event.line) { return false }
            return true
        }
        for p in patterns where p.matches(event.line) { return true }
        return false
    }
}
