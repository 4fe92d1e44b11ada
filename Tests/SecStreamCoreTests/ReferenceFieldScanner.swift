@testable import SecStreamCore

// A frozen copy of the field scanner and its lexing as they were before the
// scanner was tuned for speed (branch `scan`, December 2026): the reference
// `ScannerReferenceDifferentialTests` holds the tuned scanner to, result for
// result, slot for slot, shape for shape. Keys are looked up by the trie walk
// alone (the semantics the hashed key table must reproduce).
// Do not optimise this file: its worth is that it stays the simple version.

/// Extracts the schema's fields from one NDJSON line in a single left-to-right
/// pass, recording where each wanted value lies (no copying, no allocation)
/// and validating the whole line as JSON on the way.
///
/// A field is found nested (`{"source":{"ip":..}}`), flat (`{"source.ip":..}`)
/// or mixed (`{"source":{"geo.city":..}}`); when it occurs more than once, the
/// last occurrence wins. Values inside arrays are not addressed by path (an
/// array as a whole is a value; see `JSONArrayElements`).
///
/// The scanner is immutable and `Sendable`: build one after the schema is
/// complete and share it between threads.
struct ReferenceFieldScanner: @unchecked Sendable {
    /// Deepest container nesting accepted; deeper lines are malformed.
    static let maxDepth = 64

    let fieldCount: Int
    let trie: FieldTrie

    init(schema: FieldSchema) {
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
    func scan(_ line: UnsafeRawBufferPointer, into slots: UnsafeMutableBufferPointer<FieldSlot>) -> ScanResult {
        var shape = LineShape()
        return scan(line, into: slots, shape: &shape, UntrackedScan.self)
    }

    /// `scan`, also recording in `shape` what the slots alone do not say about
    /// the line (see `LineShape`; `shape` is meaningful only when `.ok` is returned).
    func scan(_ line: UnsafeRawBufferPointer, into slots: UnsafeMutableBufferPointer<FieldSlot>,
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

        var i = ReferenceLexing.skipWhitespace(p, 0, end)
        if Tracking.tracks && i != 0 { shape.insert(.whitespace) }
        guard i < end else { return .malformed(.empty, offset: 0) }
        guard p[i] == 0x7b else { return .malformed(.notAnObject, offset: i) }

        var seen = shape  // the closure's own copy: `shape` is inout
        defer { shape = seen }
        return withUnsafeTemporaryAllocation(of: Frame.self, capacity: Self.maxDepth) { stack -> ScanResult in
            let trie = self.trie
            var depth = 1
            stack[0] = Frame(start: Int32(i), field: -1, parentNode: FieldTrie.dead, parentIsArray: false)
            var node = FieldTrie.root   // trie node of the current object; dead when not wanted
            var inArray = false
            var afterValue = false      // false: just after `{` or `[`
            var error: MalformedReason? = nil
            let specials = ReferenceSpecialIndex(p: p, end: end)
            i &+= 1

            while true {
                // Whitespace is rare in NDJSON: one compare on the way, and the
                // tracking only where there is some.
                if i < end && p[i] <= 0x20 {
                    let before = i
                    i = ReferenceLexing.skipWhitespace(p, i, end)
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
                        i = ReferenceLexing.skipWhitespace(p, i, end)
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
                        i = ReferenceLexing.skipWhitespace(p, i, end)
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
                    guard c == ReferenceLexing.quote else { return .malformed(.expectedKey, offset: i) }
                    let keyStart = i &+ 1
                    var escaped = false
                    var keyEnd = specials.next(from: keyStart)
                    if keyEnd >= end || p[keyEnd] != ReferenceLexing.quote {
                        if Tracking.tracks { seen.insert(.unusualKey) }
                        keyEnd = ReferenceLexing.scanString(p, keyEnd, end, &escaped, &error)
                        if let error { return .malformed(error, offset: keyEnd) }
                    }
                    if node >= 0 {
                        if !escaped {
                            if let hit = Self.walkKey(trie, node, p + keyStart, keyEnd &- keyStart) {
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
                        i = ReferenceLexing.skipWhitespace(p, keyEnd &+ 1, end)
                        if Tracking.tracks && i != keyEnd &+ 1 { seen.insert(.whitespace) }
                        guard i < end else { return .malformed(.unexpectedEnd, offset: i) }
                        guard p[i] == 0x3a else { return .malformed(.expectedColon, offset: i) }
                        let colon = i
                        i = ReferenceLexing.skipWhitespace(p, i &+ 1, end)
                        if Tracking.tracks && i != colon &+ 1 { seen.insert(.whitespace) }
                        guard i < end else { return .malformed(.unexpectedEnd, offset: i) }
                    }
                    c = p[i]
                }

                // The value.
                switch c {
                case ReferenceLexing.quote:
                    var escaped = false
                    var close = specials.next(from: i &+ 1)
                    // Escapes (Windows paths are full of `\\`): each is checked
                    // and the index finds the next special byte, instead of the
                    // byte path walking the rest of the string. An invalid one is
                    // left to `scanString`, which reports it.
                    while close < end && p[close] == ReferenceLexing.backslash {
                        let after = ReferenceLexing.scanEscape(p, close, end)
                        guard after >= 0 else { break }
                        escaped = true
                        close = specials.next(from: after)
                    }
                    if close >= end || p[close] != ReferenceLexing.quote {
                        // An escape, a control character or UTF-8 ahead: the validating byte path.
                        close = ReferenceLexing.scanString(p, close, end, &escaped, &error)
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
                    let after = ReferenceLexing.scanNumber(p, i, end)
                    guard after >= 0 else { return .malformed(.invalidNumber, offset: i) }
                    if field >= 0 {
                        if Tracking.tracks && slotBase[Int(field)].kind != .missing { seen.insert(.repeatedField) }
                        slotBase[Int(field)] = FieldSlot(start: Int32(i), end: Int32(after), kind: .number)
                    }
                    i = after
                default:
                    guard let (kind, after) = ReferenceLexing.scanLiteral(p, i, end) else {
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

    /// A key by the trie walk alone: what `FieldTrie.lookupKey` must answer.
    private static func walkKey(_ trie: FieldTrie, _ node: Int32, _ key: UnsafePointer<UInt8>, _ length: Int) -> (field: Int32, child: Int32)? {
        let n = trie.walk(node, key, length)
        if n >= 0 {
            let hit = (field: trie.field(n), child: trie.step(n, 0x2e))
            if hit.field >= 0 || hit.child >= 0 { return hit }
        }
        return trie.wildcard(node)
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

enum ReferenceLexing {
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5c

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let high: UInt64 = 0x8080_8080_8080_8080
    private static let low7: UInt64 = 0x7f7f_7f7f_7f7f_7f7f

    /// High bit set in each byte lane of `w` that needs attention inside a
    /// string: `"`, `\`, a control character (< 0x20) or a non-ASCII byte.
    /// Exact per lane (no carries cross lanes), so the lowest set bit locates
    /// the first such byte.
    @inline(__always)
    static func stringSpecialMask(_ w: UInt64) -> UInt64 {
        // On the low 7 bits of each lane, adding 0x7f sets the lane's high bit
        // exactly when the lane is non-zero, and adding 0x60 exactly when it is
        // >= 0x20; no sum carries into the next lane. Lanes whose own high bit
        // is set (non-ASCII) are special whatever the low bits say.
        let low = w & low7
        let notQuote = (low ^ (ones &* 0x22)) &+ low7
        let notBackslash = (low ^ (ones &* 0x5c)) &+ low7
        let notControl = low &+ (ones &* 0x60)
        return (~(notQuote & notBackslash & notControl) | w) & high
    }

    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09
    }

    @inline(__always)
    static func skipWhitespace(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        var i = i
        while i < end && p[i] <= 0x20 && isWhitespace(p[i]) { i &+= 1 }
        return i
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// The value of a hexadecimal digit (either case), nil for anything else:
    /// `\uXXXX` escapes and IPv6 groups.
    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    @inline(__always)
    static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c | 0x20) &- 0x61 < 6
    }

    /// Scans a string body starting just after its opening quote. Returns the
    /// index of the closing quote; sets `escaped` when a backslash occurs.
    /// On a malformation, sets `error` and returns its offset.
    /// Validates escapes, UTF-8 and the absence of control characters; plain
    /// ASCII is checked eight bytes at a time.
    @inline(__always)
    static func scanString(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                           _ escaped: inout Bool, _ error: inout MalformedReason?) -> Int {
        var i = start
        while true {
            while i &+ 8 <= end {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                let m = stringSpecialMask(w)
                if m != 0 {
                    i &+= m.trailingZeroBitCount >> 3
                    break
                }
                i &+= 8
            }
            guard i < end else {
                error = .unexpectedEnd
                return end
            }
            let c = p[i]
            if c == quote { return i }
            if c == backslash {
                escaped = true
                let e = scanEscape(p, i, end)
                if e < 0 {
                    error = i &+ 1 >= end ? .unexpectedEnd : .invalidEscape
                    return i
                }
                i = e
            } else if c < 0x20 {
                error = .controlCharacter
                return i
            } else if c >= 0x80 {
                let n = utf8SequenceLength(p, i, end)
                if n == 0 {
                    error = .invalidUTF8
                    return i
                }
                i &+= n
            } else {
                i &+= 1  // an ordinary byte in the last (< 8) bytes of the line
            }
        }
    }

    /// Validates the escape at `i` (the backslash); returns the index after it, or -1.
    @inline(__always)
    static func scanEscape(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        guard i &+ 1 < end else { return -1 }
        switch p[i &+ 1] {
        case 0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74:  // " \ / b f n r t
            return i &+ 2
        case 0x75:  // u XXXX
            guard i &+ 6 <= end, isHex(p[i &+ 2]), isHex(p[i &+ 3]), isHex(p[i &+ 4]), isHex(p[i &+ 5]) else {
                return -1
            }
            return i &+ 6
        default:
            return -1
        }
    }

    /// Length of the valid UTF-8 sequence starting with the non-ASCII byte at
    /// `i`, or 0 if invalid (overlong forms, surrogates and values beyond
    /// U+10FFFF are invalid, per RFC 3629).
    @inline(__always)
    static func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        let b0 = p[i]
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xbf) -> Bool {
            i &+ k < end && p[i &+ k] >= lo && p[i &+ k] <= hi
        }
        switch b0 {
        case 0xc2...0xdf: return cont(1) ? 2 : 0
        case 0xe0: return cont(1, 0xa0) && cont(2) ? 3 : 0
        case 0xe1...0xec, 0xee, 0xef: return cont(1) && cont(2) ? 3 : 0
        case 0xed: return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0
        case 0xf0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xf1...0xf3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xf4: return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }

    /// Scans a number per the JSON grammar; returns the index after it, or -1.
    @inline(__always)
    static func scanNumber(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        if p[i] == 0x2d { i &+= 1 }  // -
        guard i < end else { return -1 }
        if p[i] == 0x30 {
            i &+= 1
        } else if isDigit(p[i]) {
            i &+= 1
            while i < end && isDigit(p[i]) { i &+= 1 }
        } else {
            return -1
        }
        if i < end && p[i] == 0x2e {  // .
            i &+= 1
            guard i < end && isDigit(p[i]) else { return -1 }
            while i < end && isDigit(p[i]) { i &+= 1 }
        }
        if i < end && (p[i] | 0x20) == 0x65 {  // e E
            i &+= 1
            if i < end && (p[i] == 0x2b || p[i] == 0x2d) { i &+= 1 }
            guard i < end && isDigit(p[i]) else { return -1 }
            while i < end && isDigit(p[i]) { i &+= 1 }
        }
        return i
    }

    /// Matches `true`, `false` or `null` at `i`; returns the kind and the index after it.
    @inline(__always)
    static func scanLiteral(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (ValueKind, Int)? {
        if i &+ 4 <= end {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)
            if w == 0x6575_7274 { return (.trueValue, i &+ 4) }  // "true" little-endian
            if w == 0x6c6c_756e { return (.null, i &+ 4) }       // "null"
            if w == 0x736c_6166, i &+ 5 <= end, p[i &+ 4] == 0x65 { return (.falseValue, i &+ 5) }  // "false"
        }
        return nil
    }
}

/// `StringSpecialIndex` by definition: the first `"`, `\\`, control or non-ASCII byte at or after `i`.
struct ReferenceSpecialIndex {
    let p: UnsafePointer<UInt8>
    let end: Int

    func next(from i: Int) -> Int {
        var i = i
        while i < end {
            let c = p[i]
            if c == 0x22 || c == 0x5c || c < 0x20 || c >= 0x80 { return i }
            i += 1
        }
        return end
    }
}
