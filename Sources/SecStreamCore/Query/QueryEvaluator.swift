import Foundation

/// Evaluates a `CompiledQuery` on scanned lines. Holds per-thread scratch
/// (an unescape buffer, a time parser with its date cache), so keep one per
/// worker thread; evaluating allocates nothing.
public struct QueryEvaluator {
    public let query: CompiledQuery
    private let nodes: UnsafeBufferPointer<CompiledQuery.Node>
    private let tests: UnsafeBufferPointer<CompiledQuery.Test>
    private var scratch: [UInt8] = []
    private var times = EventTimeParser()

    public init(_ query: CompiledQuery) {
        self.query = query
        nodes = query.nodes
        tests = query.tests
        scratch.reserveCapacity(256)
    }

    public mutating func matches(_ event: EventView) -> Bool {
        evaluate(query.root, event)
    }

    private mutating func evaluate(_ index: Int32, _ event: EventView) -> Bool {
        let node = nodes[Int(index)]
        switch node.op {
        case .and: return evaluate(node.a, event) && evaluate(node.b, event)
        case .or: return evaluate(node.a, event) || evaluate(node.b, event)
        case .not: return !evaluate(node.a, event)
        case .test: return run(tests[Int(node.a)], event)
        }
    }

    private mutating func run(_ test: CompiledQuery.Test, _ event: EventView) -> Bool {
        let slot = event.slot(test.field)
        if test.kind == .compare && test.op == .notEqual {
            // `!=` is true for a missing field and for an array with no equal element.
            let literal = test.literals[0]
            return !anyElement(slot, event.line) { this, s in this.order(s, event.line, literal, test.isTimeField) == 0 }
        }
        return anyElement(slot, event.line) { this, s in this.scalar(test, s, event.line) }
    }

    /// `body` on the value, or on each element when the value is an array.
    private mutating func anyElement(_ slot: FieldSlot, _ line: UnsafeRawBufferPointer,
                                     _ body: (inout QueryEvaluator, FieldSlot) -> Bool) -> Bool {
        switch slot.kind {
        case .missing: return false
        case .array:
            for element in JSONArrayElements(line: line, slot: slot) where body(&self, element) { return true }
            return false
        default: return body(&self, slot)
        }
    }

    private mutating func scalar(_ test: CompiledQuery.Test, _ slot: FieldSlot, _ line: UnsafeRawBufferPointer) -> Bool {
        switch test.kind {
        case .exists:
            return true
        case .compare:
            guard let o = order(slot, line, test.literals[0], test.isTimeField) else { return false }
            switch test.op {
            case .equal: return o == 0
            case .notEqual: return o != 0
            case .less: return o < 0
            case .lessOrEqual: return o <= 0
            case .greater: return o > 0
            case .greaterOrEqual: return o >= 0
            }
        case .oneOf:
            for literal in test.literals where order(slot, line, literal, test.isTimeField) == 0 { return true }
            return false
        case .cidr:
            guard let text = text(slot, line), let address = IPAddress.parse(text) else { return false }
            return test.cidr!.contains(address)
        case .contains:
            guard let text = text(slot, line) else { return false }
            return Self.find(test.bytes, in: text)
        case .startsWith:
            let prefix = test.bytes
            guard let text = text(slot, line), text.count >= prefix.count else { return false }
            if prefix.isEmpty { return true }
            return memcmp(text.baseAddress!, prefix.baseAddress!, prefix.count) == 0
        case .endsWith:
            let suffix = test.bytes
            guard let text = text(slot, line), text.count >= suffix.count else { return false }
            if suffix.isEmpty { return true }
            return memcmp(text.baseAddress! + (text.count - suffix.count), suffix.baseAddress!, suffix.count) == 0
        case .matches:
            guard let text = text(slot, line) else { return false }
            return test.regex!.matches(text)
        }
    }

    /// The bytes a string test looks at: a string's unescaped content, or a
    /// number's literal text; nil for other kinds. Valid until the next call.
    private mutating func text(_ slot: FieldSlot, _ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let raw = UnsafeRawBufferPointer(rebasing: line[Int(slot.start)..<Int(slot.end)])
        switch slot.kind {
        case .string, .number: return raw
        case .escapedString:
            guard JSONString.unescape(raw, into: &scratch) else { return nil }
            return scratch.withUnsafeBytes { $0 }  // scratch is not mutated until the next call
        default: return nil
        }
    }

    /// How the value compares with `literal`: negative, zero, positive, or nil
    /// when the two are of types that do not compare.
    private mutating func order(_ slot: FieldSlot, _ line: UnsafeRawBufferPointer,
                                _ literal: CompiledQuery.Literal, _ isTimeField: Bool) -> Int? {
        let raw = UnsafeRawBufferPointer(rebasing: line[Int(slot.start)..<Int(slot.end)])
        if let instant = literal.time, isTimeField || slot.kind == .string || slot.kind == .escapedString {
            let value = isTimeField ? times.parse(raw, kind: slot.kind)
                                    : (slot.kind == .string ? times.parseRFC3339(raw) : nil)
            if let value { return value < instant ? -1 : (value > instant ? 1 : 0) }
            if isTimeField { return nil }
        }
        switch literal.kind {
        case .null: return slot.kind == .null ? 0 : nil
        case .trueValue: return slot.kind == .trueValue ? 0 : (slot.kind == .falseValue ? -1 : nil)
        case .falseValue: return slot.kind == .falseValue ? 0 : (slot.kind == .trueValue ? 1 : nil)
        case .number:
            guard slot.kind == .number || slot.kind == .string, let d = JSONNumber.parseDouble(raw) else { return nil }
            return d < literal.number ? -1 : (d > literal.number ? 1 : 0)
        case .string:
            guard let text = text(slot, line) else { return nil }
            guard slot.kind != .number else { return nil }
            return Self.compareBytes(text, UnsafeRawBufferPointer(literal.bytes))
        }
    }

    private static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, n)
            if c != 0 { return c < 0 ? -1 : 1 }
        }
        return a.count < b.count ? -1 : (a.count > b.count ? 1 : 0)
    }

    private static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeRawBufferPointer) -> Bool {
        if needle.isEmpty { return true }
        guard haystack.count >= needle.count, let base = haystack.baseAddress else { return false }
        // memchr for the first byte, memcmp for the rest (Glibc's memmem is not exported to Swift).
        let n = UnsafeRawBufferPointer(needle)
        let first = Int32(n[0])
        var at = 0
        let last = haystack.count - n.count
        while at <= last {
            guard let hit = memchr(base + at, first, last - at + 1) else { return false }
            let offset = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + offset, n.baseAddress!, n.count) == 0 { return true }
            at = offset + 1
        }
        return false
    }
}
