/// Extracts the schema's fields from one NDJSON line in a single left-to-right
/// pass, recording where each wanted value lies (no copying, no allocation)
/// and validating the whole line as JSON on the way.
///
/// A field is found nested (`{"source":{"ip":..}}`), flat (`{"source.ip":..}`)
/// or mixed (`{"source":{"geo.city":..}}`); when it occurs more than once, the
/// last occurrence wins. Values inside arrays are not addressed by path (an
/// array as a whole is a value; see `JSONArrayElements`).
///
/// How: the line's string-special bytes are classified up front
/// (`LineSpecialMasks`), so a string's end is one mask lookup; `compactPrefix`
/// walks the members of compactly written objects, the NDJSON norm, until
/// anything else occurs, and the general walk, which knows the whole grammar,
/// takes the rest of the line from there. Keys are looked up in the trie's
/// `FieldKeyTable`.
///
/// The scanner is immutable and `Sendable`: build one after the schema is
/// complete and share it between threads.
public struct FieldScanner: @unchecked Sendable {
    /// Deepest container nesting accepted; deeper lines are malformed.
    public static let maxDepth = 64

    public let fieldCount: Int
    let trie: FieldTrie

    public init(schema: FieldSchema) {
        fieldCount = schema.count
        trie = FieldTrie(paths: schema.paths)
    }

    /// One open container: where it started, the field it is the value of
    /// (or -1), and the enclosing container's trie node and kind.
    private struct Frame {
        var start: Int32
        var field: Int32
        var parentNode: Int32
        var parentIsArray: Bool
    }

    /// Scans `line`, filling `slots` (at least `fieldCount` of them; fields
    /// not found are `.missing`). Slots are meaningful only when `.ok` is returned.
    public func scan(_ line: UnsafeRawBufferPointer, into slots: UnsafeMutableBufferPointer<FieldSlot>) -> ScanResult {
        var shape = LineShape()
        return scan(line, into: slots, shape: &shape, UntrackedScan.self)
    }

    /// `scan`, also recording in `shape` what the slots alone do not say about
    /// the line (see `LineShape`; `shape` is meaningful only when `.ok` is returned).
    public func scan(_ line: UnsafeRawBufferPointer, into slots: UnsafeMutableBufferPointer<FieldSlot>,
                     shape: inout LineShape) -> ScanResult {
        shape = []
        return scan(line, into: slots, shape: &shape, TrackedScan.self)
    }

    @inline(__always)
    private func scan<Tracking: ScanShapeTracking>(_ line: UnsafeRawBufferPointer, into slots: UnsafeMutableBufferPointer<FieldSlot>,
                                                   shape: inout LineShape, _: Tracking.Type) -> ScanResult {
        precondition(slots.count >= fieldCount, "slot buffer smaller than the schema")
        for k in 0..<fieldCount { slots[k] = .missing }
        let end = line.count
        guard end > 0, let base = line.baseAddress else { return .malformed(.empty, offset: 0) }
        guard end <= Int(Int32.max) else { return .malformed(.tooLong, offset: 0) }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let slotBase = slots.baseAddress!

        var i = JSONLexing.skipWhitespace(p, 0, end)
        if Tracking.tracks && i != 0 { shape.insert(.whitespace) }
        guard i < end else { return .malformed(.empty, offset: 0) }
        guard p[i] == 0x7b else { return .malformed(.notAnObject, offset: i) }

        var seen = shape  // the closure's own copy: `shape` is inout
        defer { shape = seen }
        return withUnsafeTemporaryAllocation(of: Frame.self, capacity: Self.maxDepth) { stack -> ScanResult in
          withUnsafeTemporaryAllocation(of: UInt64.self, capacity: LineSpecialMasks.blockCount(end)) { maskStorage -> ScanResult in
            let trie = self.trie
            stack[0] = Frame(start: Int32(i), field: -1, parentNode: FieldTrie.dead, parentIsArray: false)
            let specials = LineSpecialMasks(p, end, storage: maskStorage.baseAddress!)
            var state = WalkState(i: i &+ 1, depth: 1, node: FieldTrie.root, inArray: false, afterValue: false)
            if compactPrefix(p, end, specials, stack.baseAddress!, slotBase, &state, &seen, Tracking.self) { return .ok }
            // The general walk, from where the compact prefix stopped.
            i = state.i
            var depth = state.depth
            var node = state.node           // trie node of the current object; dead when not wanted
            var inArray = state.inArray
            var afterValue = state.afterValue  // false: just after `{` or `[`
            var error: MalformedReason? = nil

            while true {
                // Whitespace is rare in NDJSON: one compare on the way, and the
                // tracking only where there is some.
                if i < end && p[i] <= 0x20 {
                    let before = i
                    i = JSONLexing.skipWhitespace(p, i, end)
                    if Tracking.tracks && i != before { seen.insert(.whitespace) }
                }
                guard i < end else { return .malformed(.unexpectedEnd, offset: i) }
                var c = p[i]
                let close: UInt8 = inArray ? 0x5d : 0x7d
                if c == close {
                    // Close the container (empty, or after its last value).
                    depth &-= 1
                    let f = stack[depth]
                    if f.field >= 0 {
                        if Tracking.tracks && slotBase[Int(f.field)].kind != .missing { seen.insert(.repeatedField) }
                        slotBase[Int(f.field)] = FieldSlot(start: f.start, end: Int32(i &+ 1),
                                                           kind: inArray ? .array : .object)
                    }
                    i &+= 1
                    if depth == 0 {
                        let closed = i
                        i = JSONLexing.skipWhitespace(p, i, end)
                        if Tracking.tracks && i != closed { seen.insert(.whitespace) }
                        return i == end ? .ok : .malformed(.trailingGarbage, offset: i)
                    }
                    node = f.parentNode
                    inArray = f.parentIsArray
                    afterValue = true
                    continue
                }
                if afterValue {
                    guard c == 0x2c else { return .malformed(.expectedCommaOrClose, offset: i) }
                    i &+= 1
                    if i < end && p[i] > 0x20 {
                        c = p[i]
                    } else {
                        let comma = i
                        i = JSONLexing.skipWhitespace(p, i, end)
                        if Tracking.tracks && i != comma { seen.insert(.whitespace) }
                        guard i < end else { return .malformed(.unexpectedEnd, offset: i) }
                        c = p[i]
                    }
                }
                afterValue = true

                // In an object: the key, then `:`. Look the key up only inside wanted objects.
                var field: Int32 = -1
                var childNode = FieldTrie.dead
                if !inArray {
                    guard c == JSONLexing.quote else { return .malformed(.expectedKey, offset: i) }
                    let keyStart = i &+ 1
                    var escaped = false
                    var keyEnd = specials.next(from: keyStart)
                    if keyEnd >= end || p[keyEnd] != JSONLexing.quote {
                        if Tracking.tracks { seen.insert(.unusualKey) }
                        keyEnd = JSONLexing.scanString(p, keyEnd, end, &escaped, &error)
                        if let error { return .malformed(error, offset: keyEnd) }
                    }
                    if node >= 0 {
                        if !escaped {
                            if let hit = trie.lookupKey(node, p + keyStart, keyEnd &- keyStart, readable: end &- keyStart) {
                                field = hit.field
                                childNode = hit.child
                            }
                        } else {
                            let n = walkEscapedKey(node, p + keyStart, keyEnd &- keyStart)
                            if n >= 0 {
                                field = trie.field(n)
                                childNode = trie.step(n, 0x2e)  // into a nested object: the `.` edge
                            }
                            if field < 0 && childNode < 0, let hit = trie.wildcard(node) {
                                field = hit.field
                                childNode = hit.child
                            }
                        }
                    }
                    if keyEnd &+ 2 < end && p[keyEnd &+ 1] == 0x3a && p[keyEnd &+ 2] > 0x20 {
                        // Compact `"key":value`, the NDJSON norm.
                        i = keyEnd &+ 2
                    } else {
                        i = JSONLexing.skipWhitespace(p, keyEnd &+ 1, end)
                        if Tracking.tracks && i != keyEnd &+ 1 { seen.insert(.whitespace) }
                        guard i < end else { return .malformed(.unexpectedEnd, offset: i) }
                        guard p[i] == 0x3a else { return .malformed(.expectedColon, offset: i) }
                        let colon = i
                        i = JSONLexing.skipWhitespace(p, i &+ 1, end)
                        if Tracking.tracks && i != colon &+ 1 { seen.insert(.whitespace) }
                        guard i < end else { return .malformed(.unexpectedEnd, offset: i) }
                    }
                    c = p[i]
                }

                // The value.
                switch c {
                case JSONLexing.quote:
                    var escaped = false
                    var close = specials.next(from: i &+ 1)
                    // Escapes (Windows paths are full of `\\`): each is checked
                    // and the index finds the next special byte, instead of the
                    // byte path walking the rest of the string. An invalid one is
                    // left to `scanString`, which reports it.
                    while close < end && p[close] == JSONLexing.backslash {
                        let after = JSONLexing.scanEscape(p, close, end)
                        guard after >= 0 else { break }
                        escaped = true
                        close = specials.next(from: after)
                    }
                    if close >= end || p[close] != JSONLexing.quote {
                        // An escape, a control character or UTF-8 ahead: the validating byte path.
                        close = JSONLexing.scanString(p, close, end, &escaped, &error)
                        if let error { return .malformed(error, offset: close) }
                    }
                    if field >= 0 {
                        if Tracking.tracks && slotBase[Int(field)].kind != .missing { seen.insert(.repeatedField) }
                        slotBase[Int(field)] = FieldSlot(start: Int32(i &+ 1), end: Int32(close),
                                                         kind: escaped ? .escapedString : .string)
                    }
                    i = close &+ 1
                case 0x7b, 0x5b:  // { [
                    guard depth < Self.maxDepth else { return .malformed(.tooDeep, offset: i) }
                    if Tracking.tracks && c == 0x5b && childNode >= 0 { seen.insert(.arrayOnPath) }
                    stack[depth] = Frame(start: Int32(i), field: field, parentNode: node, parentIsArray: inArray)
                    depth &+= 1
                    inArray = c == 0x5b
                    // Objects are followed into only where a wanted path continues;
                    // array elements are never addressed by path.
                    node = inArray ? FieldTrie.dead : childNode
                    afterValue = false
                    i &+= 1
                case 0x2d, 0x30...0x39:
                    let after = JSONLexing.scanNumber(p, i, end)
                    guard after >= 0 else { return .malformed(.invalidNumber, offset: i) }
                    if field >= 0 {
                        if Tracking.tracks && slotBase[Int(field)].kind != .missing { seen.insert(.repeatedField) }
                        slotBase[Int(field)] = FieldSlot(start: Int32(i), end: Int32(after), kind: .number)
                    }
                    i = after
                default:
                    guard let (kind, after) = JSONLexing.scanLiteral(p, i, end) else {
                        return .malformed(isTruncatedLiteral(p, i, end) ? .unexpectedEnd : .invalidToken, offset: i)
                    }
                    if field >= 0 {
                        if Tracking.tracks && slotBase[Int(field)].kind != .missing { seen.insert(.repeatedField) }
                        slotBase[Int(field)] = FieldSlot(start: Int32(i), end: Int32(after), kind: kind)
                    }
                    i = after
                }
            }
          }
        }
    }

    /// Where the general walk of a line takes over from `compactPrefix`.
    private struct WalkState {
        var i: Int
        var depth: Int
        var node: Int32
        var inArray: Bool
        var afterValue: Bool
    }

    /// The common case of a line, from just after its `{`: members of objects
    /// written compactly (`,"key":value`) with plain keys, and the closes of
    /// nested objects. True when it took the whole line (`.ok`); otherwise
    /// `state` is where it stopped, before a member or close it does not take
    /// (whitespace, an empty object, an array, an unusual key, a string that
    /// needs the validating path, a malformation), and the general walk takes
    /// the rest of the line from there, so every result is the general walk's.
    ///
    /// Why a loop of its own: the general walk tests for whitespace, a close
    /// and the comma state at every token; here a member is a few 16-bit
    /// compares, two mask lookups and the key lookup. Why a function not
    /// inlined into `scan`: there its state shared registers with the general
    /// walk's and its constants, and went to the stack at every member
    /// (callgrind, bench lines: 1,921 -> 1,890 instructions an event for the
    /// scan, the spills gone from the member path). A line that leaves
    /// it early (whitespace after its first key) pays one call and one member.
    @inline(never)
    private func compactPrefix<Tracking: ScanShapeTracking>(_ p: UnsafePointer<UInt8>, _ end: Int, _ specials: LineSpecialMasks,
                                                           _ stack: UnsafeMutablePointer<Frame>,
                                                           _ slotBase: UnsafeMutablePointer<FieldSlot>,
                                                           _ state: inout WalkState, _ seen: inout LineShape,
                                                           _: Tracking.Type) -> Bool {
        var i = state.i, depth = state.depth, node = state.node, afterValue = state.afterValue
        var inArray = false
        defer { state = WalkState(i: i, depth: depth, node: node, inArray: inArray, afterValue: afterValue) }
        let trie = self.trie
        while true {
            let keyStart: Int
            if afterValue {
                // `,"` (one 16-bit compare), or the close of a nested object.
                guard i &+ 1 < end else {
                    // The root's close as the line's last byte: what the general step returns there.
                    if i &+ 1 == end && depth == 1 && p[i] == 0x7d { return true }
                    return false
                }
                let two = UnsafeRawPointer(p + i).loadUnaligned(as: UInt16.self)
                if two == 0x222c {
                    keyStart = i &+ 2
                } else if two & 0xff == 0x7d && depth > 1 {
                    // As the general step closes an object (the root's close is left to it).
                    depth &-= 1
                    let f = stack[depth]
                    if f.field >= 0 {
                        if Tracking.tracks && slotBase[Int(f.field)].kind != .missing { seen.insert(.repeatedField) }
                        slotBase[Int(f.field)] = FieldSlot(start: f.start, end: Int32(truncatingIfNeeded: i &+ 1), kind: .object)
                    }
                    i &+= 1
                    node = f.parentNode
                    if f.parentIsArray {
                        inArray = true
                        return false
                    }
                    continue
                } else {
                    return false
                }
            } else {
                guard i < end && p[i] == JSONLexing.quote else { return false }
                keyStart = i &+ 1
            }
            let keyEnd = specials.next(from: keyStart)
            // `":` (one 16-bit compare) and a byte after it.
            guard keyEnd &+ 2 < end && UnsafeRawPointer(p + keyEnd).loadUnaligned(as: UInt16.self) == 0x3a22 else {
                return false
            }
            let v = keyEnd &+ 2
            var field: Int32 = -1
            var childNode = FieldTrie.dead
            if node >= 0,
               let hit = trie.lookupKey(node, p + keyStart, keyEnd &- keyStart, readable: end &- keyStart) {
                field = hit.field
                childNode = hit.child
            }
            let value: FieldSlot
            switch p[v] {
            case JSONLexing.quote:
                var escaped = false
                var close = specials.next(from: v &+ 1)
                if close >= end || p[close] != JSONLexing.quote {
                    while close < end && p[close] == JSONLexing.backslash {  // as in the general step
                        let after = JSONLexing.scanEscape(p, close, end)
                        guard after >= 0 else { break }
                        escaped = true
                        close = specials.next(from: after)
                    }
                    guard close < end && p[close] == JSONLexing.quote else { return false }
                }
                value = FieldSlot(start: Int32(truncatingIfNeeded: v &+ 1), end: Int32(truncatingIfNeeded: close),
                                  kind: escaped ? .escapedString : .string)
                i = close &+ 1
            case 0x7b:  // {
                guard depth < Self.maxDepth else { return false }
                stack[depth] = Frame(start: Int32(truncatingIfNeeded: v), field: field, parentNode: node, parentIsArray: false)
                depth &+= 1
                node = childNode
                afterValue = false
                i = v &+ 1
                continue
            case 0x2d, 0x30...0x39:
                let after = JSONLexing.scanNumber(p, v, end)
                guard after >= 0 else { return false }
                value = FieldSlot(start: Int32(truncatingIfNeeded: v), end: Int32(truncatingIfNeeded: after), kind: .number)
                i = after
            default:
                guard let (kind, after) = JSONLexing.scanLiteral(p, v, end) else { return false }
                value = FieldSlot(start: Int32(truncatingIfNeeded: v), end: Int32(truncatingIfNeeded: after), kind: kind)
                i = after
            }
            if field >= 0 {
                if Tracking.tracks && slotBase[Int(field)].kind != .missing { seen.insert(.repeatedField) }
                slotBase[Int(field)] = value
            }
            afterValue = true
        }
    }

    /// Slow path for a key written with escapes (`"source\u002eip"`): walk the
    /// trie over its unescaped bytes.
    private func walkEscapedKey(_ node: Int32, _ key: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
        var unescaped: [UInt8] = []
        guard JSONString.unescape(UnsafeRawBufferPointer(start: key, count: count), into: &unescaped) else {
            return FieldTrie.dead
        }
        return unescaped.withUnsafeBufferPointer { trie.walk(node, $0.baseAddress!, $0.count) }
    }

    /// True when the line ends inside `true`, `false` or `null`.
    private func isTruncatedLiteral(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        for word in ["true", "false", "null"] {
            let w = Array(word.utf8)
            let n = end &- i
            if n < w.count && (0..<n).allSatisfy({ p[i &+ $0] == w[$0] }) { return true }
        }
        return false
    }
}
