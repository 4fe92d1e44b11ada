/// Finds the routes an event may satisfy by looking its values up, instead of
/// testing every route: a pipeline's routes are mostly `Channel: X` and
/// `EventID: N` (the windows pipelines have over a hundred), and testing each
/// per event (a string compare and a number parse per route) cost more than
/// the rules behind them.
///
/// Level one is a string field every indexed route tests for equality (the
/// most common such field, `Channel`): the event's value of it, looked up
/// among the routes' literals, picks one bucket. Level two, inside a bucket,
/// is a numeric equality field (`EventID`): its value picks the routes that
/// name it. The lookups only narrow the routes (a necessary condition, read
/// the way `FieldTest` reads the field); every route they name is still
/// tested in full, so the routes that hold are exactly those the plain loop
/// finds. When the key field holds an array, the level's routes are all tested.
final class RouteIndex {
    /// Routes without an indexable string test: tested on every event.
    private let unindexed: UnsafeMutableBufferPointer<Int32>
    /// Every indexed route (for an event whose key field is an array).
    private let indexed: UnsafeMutableBufferPointer<Int32>
    /// The level-one field: its candidates and whether its literals are case-sensitive.
    private let keyField: UnsafeMutableBufferPointer<FieldID>
    private let keyCaseSensitive: Bool
    /// Open-addressed table over the literals: entry index + 1, 0 for empty.
    private let table: UnsafeMutableBufferPointer<Int32>
    private let entries: [Entry]
    /// The level-two field (numbers), shared by all buckets.
    private let numberField: UnsafeMutableBufferPointer<FieldID>

    /// One literal of the level-one field and the routes that accept it.
    private struct Entry {
        let hash: UInt64
        let literal: [UInt8]
        /// Routes of this literal without a level-two test.
        let always: UnsafeMutableBufferPointer<Int32>
        /// Routes of this literal with a level-two test, and their numbers.
        let numbered: UnsafeMutableBufferPointer<Int32>
        let numbers: [Double: UnsafeMutableBufferPointer<Int32>]
    }

    /// A route's test that the index can read: equality with one of `literals`
    /// (strings) or `numbers` on the field `candidates`.
    private struct Key {
        let candidates: [FieldID]
        let caseSensitive: Bool
        let literals: [[UInt8]]
        let numbers: [Double]
    }

    /// nil when fewer than `minimumRoutes` routes can be indexed (a plain loop is as cheap).
    init?(_ conditions: [MatchNode]) {
        var strings: [Int: Key] = [:]
        var numbers: [Int: Key] = [:]
        for (r, condition) in conditions.enumerated() {
            for conjunct in RouteIndex.conjuncts(condition) {
                guard case .field(let t) = conjunct, let key = RouteIndex.key(t.pointee) else { continue }
                if !key.literals.isEmpty, strings[r] == nil { strings[r] = key }
                if !key.numbers.isEmpty, numbers[r] == nil { numbers[r] = key }
            }
        }
        // The string field most routes test, then the number field most of those test.
        guard let (field, caseSensitive) = RouteIndex.mostCommon(strings.keys.sorted().map { (strings[$0]!.candidates, strings[$0]!.caseSensitive) })
        else { return nil }
        let indexedRoutes = strings.filter { $0.value.candidates == field && $0.value.caseSensitive == caseSensitive }
        guard indexedRoutes.count >= RouteIndex.minimumRoutes else { return nil }
        let numberKey = RouteIndex.mostCommon(indexedRoutes.keys.sorted().compactMap { numbers[$0].map { ($0.candidates, false) } })?.0

        var byLiteral: [[UInt8]: [Int]] = [:]
        for (r, key) in indexedRoutes { for l in Set(key.literals) { byLiteral[l, default: []].append(r) } }
        var built: [Entry] = []
        for (literal, routes) in byLiteral.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            var always: [Int] = []
            var numbered: [Int] = []
            var byNumber: [Double: [Int]] = [:]
            for r in routes.sorted() {
                if let n = numbers[r], n.candidates == numberKey {
                    numbered.append(r)
                    for v in Set(n.numbers) { byNumber[v, default: []].append(r) }
                } else {
                    always.append(r)
                }
            }
            built.append(Entry(hash: RouteIndex.hash(literal, caseSensitive: true), literal: literal,
                               always: RouteIndex.routes(always), numbered: RouteIndex.routes(numbered),
                               numbers: byNumber.mapValues(RouteIndex.routes)))
        }
        entries = built
        var size = 8
        while size < built.count * 4 { size *= 2 }
        table = .allocate(capacity: size)
        table.initialize(repeating: 0)
        for (i, e) in built.enumerated() {
            var slot = Int(truncatingIfNeeded: e.hash) & (size - 1)
            while table[slot] != 0 { slot = (slot + 1) & (size - 1) }
            table[slot] = Int32(i + 1)
        }
        unindexed = RouteIndex.routes((0..<conditions.count).filter { indexedRoutes[$0] == nil })
        indexed = RouteIndex.routes(indexedRoutes.keys.sorted())
        keyField = RouteIndex.buffer(field)
        keyCaseSensitive = caseSensitive
        numberField = RouteIndex.buffer(numberKey ?? [])
    }

    deinit {
        for b in [unindexed, indexed, table] { b.baseAddress?.deallocate() }
        keyField.baseAddress?.deallocate()
        numberField.baseAddress?.deallocate()
        for e in entries {
            e.always.baseAddress?.deallocate()
            e.numbered.baseAddress?.deallocate()
            for b in e.numbers.values { b.baseAddress?.deallocate() }
        }
    }

    /// Below this many indexable routes the index is not built.
    static let minimumRoutes = 8

    /// Calls `test` with every route the event may satisfy (each once).
    @inline(__always)
    func forEachCandidate(_ event: EventView, _ test: (Int) -> Void) {
        for r in unindexed { test(Int(r)) }
        let slot = event.firstPresent(keyField)
        switch slot.kind {
        case .missing, .null, .object:
            // An exact string test holds for none of these (and no indexed test has a null value).
            return
        case .array:
            for r in indexed { test(Int(r)) }
            return
        default:
            break
        }
        let raw = UnsafeRawBufferPointer(rebasing: event.line[Int(slot.start)..<Int(slot.end)])
        let entry = JSONStringUnescaper.withValue(raw, escaped: slot.kind == .escapedString) { lookup($0) }
        guard let entry else { return }
        let e = entries[entry]
        for r in e.always { test(Int(r)) }
        guard !e.numbered.isEmpty else { return }
        let number = event.firstPresent(numberField)
        switch number.kind {
        case .number, .string, .escapedString:
            let raw = UnsafeRawBufferPointer(rebasing: event.line[Int(number.start)..<Int(number.end)])
            let value = JSONStringUnescaper.withValue(raw, escaped: number.kind == .escapedString) { ByteNumber.parse($0) }
            guard let value, let routes = e.numbers[value] else { return }
            for r in routes { test(Int(r)) }
        case .array:
            for r in e.numbered { test(Int(r)) }
        default:
            // Missing, null, booleans, objects: no number equals them.
            return
        }
    }

    /// The entry whose literal equals `value` (ASCII case folded unless the literals are case-sensitive).
    @inline(__always)
    private func lookup(_ value: UnsafeRawBufferPointer) -> Int? {
        let h = RouteIndex.hash(value, caseSensitive: keyCaseSensitive)
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while table[slot] != 0 {
            let i = Int(table[slot]) - 1
            let e = entries[i]
            if e.hash == h, e.literal.count == value.count, equal(e.literal, value) { return i }
            slot = (slot + 1) & mask
        }
        return nil
    }

    @inline(__always)
    private func equal(_ literal: [UInt8], _ value: UnsafeRawBufferPointer) -> Bool {
        for k in 0..<literal.count {
            let b = keyCaseSensitive ? value[k] : StringPattern.lower(value[k])
            if b != literal[k] { return false }
        }
        return true
    }

    /// FNV-1a over the bytes, folded as the comparison folds them.
    @inline(__always)
    private static func hash<C: Collection>(_ bytes: C, caseSensitive: Bool) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(caseSensitive ? b : StringPattern.lower(b))) &* 0x100_0000_01b3
        }
        return h
    }

    /// The tests that must all hold: an AND's children, or the node itself.
    private static func conjuncts(_ node: MatchNode) -> [MatchNode] {
        if case .and(let children) = node { return Array(children) }
        return [node]
    }

    /// The equality a field test stands for, if it is only that: any of some
    /// exact strings (one case mode) or any of some numbers; nil otherwise
    /// (null among the values, `exists`, `all`, `neq`, other modifiers, a
    /// field that may be missing and still match).
    private static func key(_ t: FieldTest) -> Key? {
        guard t.exists == nil, t.combine == .any, !t.matchesMissing, !t.tests.isEmpty else { return nil }
        var literals: [[UInt8]] = []
        var numbers: [Double] = []
        var caseSensitive: Bool?
        for v in t.tests {
            switch v {
            case .string(let p):
                guard p.shape == .exact, caseSensitive == nil || caseSensitive == p.caseSensitive else { return nil }
                caseSensitive = p.caseSensitive
                literals.append(Array(p.literal))
            case .numberEquals(let d):
                numbers.append(d)
            default:
                return nil
            }
        }
        // Mixed strings and numbers: neither lookup alone covers the test.
        guard literals.isEmpty || numbers.isEmpty else { return nil }
        return Key(candidates: Array(t.candidates), caseSensitive: caseSensitive ?? false, literals: literals, numbers: numbers)
    }

    /// The most frequent key (the first seen among equally frequent ones), nil for none.
    private static func mostCommon(_ keys: [([FieldID], Bool)]) -> ([FieldID], Bool)? {
        var order: [([FieldID], Bool)] = []
        var counts: [Int] = []
        for k in keys {
            if let i = order.firstIndex(where: { $0.0 == k.0 && $0.1 == k.1 }) { counts[i] += 1 } else { order.append(k); counts.append(1) }
        }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }) else { return nil }
        return order[best]
    }

    private static func routes(_ indexes: [Int]) -> UnsafeMutableBufferPointer<Int32> {
        buffer(indexes.map { Int32($0) })
    }

    private static func buffer<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
        let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
        _ = b.initialize(from: values)
        return UnsafeMutableBufferPointer(rebasing: b[0..<values.count])
    }
}
