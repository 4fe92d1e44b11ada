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
    /// What `any` and `none` test an event value with: its string tests,
    /// read in place through a pointer (a `ValueTest` holds its pattern
    /// inline, and testing one through the enum copied it twice, ~48 bytes
    /// each, on the way to the byte compare: half of what matching a field
    /// cost), then `others`. With many caseless exact/prefix/suffix values
    /// those are in `others.affixes` instead.
    let strings: UnsafeBufferPointer<StringPattern>
    /// The index and the tests that are not strings, out of line and nil
    /// when there are none (most tests): inline they made every field test
    /// larger than a cache line.
    let others: UnsafePointer<OtherValues>?
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
        var affixes: UnsafePointer<AffixIndex>?
        var rest = sorted
        if combine != .all && indexable.count >= AffixIndex.minimumValues {
            affixes = arena.store([AffixIndex(indexable, arena: arena)]).baseAddress
            rest = sorted.filter { t in
                if case .string(let p) = t, AffixIndex.accepts(p) { return false }
                return true
            }
        }
        strings = arena.store(rest.compactMap { t -> StringPattern? in
            if case .string(let p) = t { return p }
            return nil
        })
        let otherTests = rest.filter { t in
            if case .string = t { return false }
            return true
        }
        others = affixes == nil && otherTests.isEmpty ? nil
            : arena.store([OtherValues(affixes: affixes, tests: arena.store(otherTests))]).baseAddress
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
        let stringsCost = strings.reduce(0) { $0 + $1.cost }
        guard let others else { return stringsCost }
        return others.pointee.tests.reduce(stringsCost + (others.pointee.affixes == nil ? 0 : 12)) { $0 + $1.cost }
    }

    /// Whether the event satisfies the test at `t`, its members read where
    /// they lie (a method called as `t.pointee.matches` copied the whole test
    /// onto the stack first). The usual test — any of a few strings — never
    /// leaves this function; the rest goes to the methods.
    @inline(__always)
    static func matches(_ t: UnsafePointer<FieldTest>, _ event: EventView) -> Bool {
        let field = event.firstPresentField(t.pointee.candidates)
        if let wanted = t.pointee.exists { return (field >= 0) == wanted }
        guard field >= 0 else { return t.pointee.matchesMissing }
        let slot = event.slots[field]
        guard t.pointee.combine == .any, t.pointee.others == nil else {
            return t.pointee.matchesPresent(event, field, slot)
        }
        switch slot.kind {
        case .string, .number, .trueValue, .falseValue:
            return anyString(t.pointee.strings, UnsafeRawBufferPointer(rebasing: event.line[Int(slot.start)..<Int(slot.end)]))
        default:
            return t.pointee.matchesPresent(event, field, slot)
        }
    }

    /// `matches` for a field present in the event at `slot`.
    private func matchesPresent(_ event: EventView, _ field: Int, _ slot: FieldSlot) -> Bool {
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

    /// Whether one of the values matches (the strings, then the index and the others).
    @inline(__always)
    private func anyMatches(_ value: UnsafeRawBufferPointer, _ kind: ValueKind) -> Bool {
        // As `ValueTest.string` reads a value: strings, numbers and booleans by their text.
        let text: Bool
        switch kind {
        case .string, .escapedString, .number, .trueValue, .falseValue: text = true
        default: text = false
        }
        if text && Self.anyString(strings, value) { return true }
        guard let others else { return false }
        if text, let affixes = others.pointee.affixes, affixes.pointee.matches(value) { return true }
        for t in others.pointee.tests where t.matches(value, kind) { return true }
        return false
    }

    /// Whether one of `strings` matches `value`, each read in place.
    @inline(__always)
    private static func anyString(_ strings: UnsafeBufferPointer<StringPattern>, _ value: UnsafeRawBufferPointer) -> Bool {
        for k in 0..<strings.count where StringPattern.matches(strings.baseAddress.unsafelyUnwrapped + k, value) { return true }
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

/// A field test's values besides its strings (`FieldTest.others`).
struct OtherValues {
    /// Many caseless exact/prefix/suffix values, indexed.
    let affixes: UnsafePointer<AffixIndex>?
    /// The tests that are not strings (numbers, regexes, CIDR blocks, ...).
    let tests: UnsafeBufferPointer<ValueTest>
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
