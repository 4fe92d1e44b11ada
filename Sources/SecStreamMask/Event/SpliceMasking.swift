import SecStreamCore

/// The policy's exact field paths as a byte trie over dotted paths, so the
/// splicing walk (`SpliceWalk`) follows a key with one table step per byte
/// instead of hashing the path at every member. Built only for policies the
/// splicing walk handles (exact ASCII names, no wildcards); nil otherwise.
struct PolicyTrie {
    static let dead: Int32 = -1
    /// Child of node `n` on byte `b` at `n << 8 | b` (`dead` when none).
    let next: [Int32]
    /// Per node: the index in `actions` of the path ending there, -1 for none.
    let action: [Int32]
    /// The distinct actions (an index is a cache tag: at most 255 of them).
    let actions: [MaskAction]

    init?(_ policy: MaskPolicy) {
        guard policy.wildcards.isEmpty else { return nil }
        var next = [Int32](repeating: Self.dead, count: 256)
        var action: [Int32] = [-1]
        var actions: [MaskAction] = []
        for (path, a) in policy.exact.sorted(by: { $0.key < $1.key }) {
            let bytes = Array(path.utf8)
            // Swift compares `String`s by canonical equivalence: a byte trie agrees only on ASCII.
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x80 }) else { return nil }
            var node = 0
            for b in bytes {
                let slot = node << 8 | Int(b)
                if next[slot] == Self.dead {
                    guard action.count < 4096 else { return nil }
                    next[slot] = Int32(action.count)
                    action.append(-1)
                    next.append(contentsOf: repeatElement(Self.dead, count: 256))
                }
                node = Int(next[slot])
            }
            var id = actions.firstIndex(of: a) ?? -1
            if id < 0 {
                guard actions.count < 255 else { return nil }
                id = actions.count
                actions.append(a)
            }
            action[node] = Int32(id)
        }
        self.next = next
        self.action = action
        self.actions = actions
    }
}

/// A masked string value's bytes for the splicing walk: what `apply` gives for
/// one (action, value), already written as a quoted JSON string, and the
/// (raw, masked) pair the free text's `replaceKnown` needs (nil when the
/// walker would not record one).
final class SplicedValue {
    let json: [UInt8]
    let known: (raw: [UInt8], masked: [UInt8])?

    init(json: [UInt8], known: (raw: [UInt8], masked: [UInt8])?) {
        self.json = json
        self.known = known
    }
}

/// One event masked by splicing: the line's bytes are copied in runs, and only
/// the masked values (and the whitespace the walker drops in the objects and
/// arrays it walks) are cut out and replaced. It mirrors `EventMasker.Walker`
/// step for step on what it accepts and gives up (`false`) on everything
/// rarer — escaped keys or masked values, non-ASCII keys, `drop`, an action on
/// an object, array or non-null scalar — for which the line goes through the
/// walker: the output is the same bytes either way (see the differential tests).
struct SpliceWalk {
    let p: UnsafePointer<UInt8>
    let n: Int
    let trie: PolicyTrie
    let masker: EventMasker
    let base: Int
    var i = 0
    var copied = 0
    var out: [UInt8]
    var known: [(raw: [UInt8], masked: [UInt8])]
    var deferred: [Range<Int>]

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    @inline(__always)
    mutating func flush(to k: Int) {
        if k > copied { out.append(contentsOf: UnsafeRawBufferPointer(start: p + copied, count: k &- copied)) }
        copied = k
    }

    /// Skips whitespace, cutting it out of the output.
    @inline(__always)
    mutating func ws() {
        guard i < n, Self.isSpace(p[i]) else { return }
        let s = i
        while i < n, Self.isSpace(p[i]) { i &+= 1 }
        flush(to: s)
        copied = i
    }

    /// The whole line; false: give it to the walker.
    mutating func line() -> Bool {
        guard object(0) else { return false }
        ws()
        guard i == n else { return false }
        flush(to: n)
        return true
    }

    mutating func object(_ state: Int32) -> Bool {
        ws()
        guard i < n, p[i] == UInt8(ascii: "{") else { return false }
        i &+= 1
        ws()
        if i < n, p[i] == UInt8(ascii: "}") { i &+= 1; return true }
        while true {
            ws()
            guard i < n, p[i] == UInt8(ascii: "\"") else { return false }
            i &+= 1
            var node = state
            while true {
                guard i < n else { return false }
                let b = p[i]
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { return false }
                if node >= 0 { node = trie.next[Int(node) << 8 | Int(b)] }
                i &+= 1
            }
            i &+= 1
            ws()
            guard i < n, p[i] == UInt8(ascii: ":") else { return false }
            i &+= 1
            let act = node >= 0 ? trie.action[Int(node)] : -1
            if act >= 0, trie.actions[Int(act)] == .drop { return false }
            guard value(node, act) else { return false }
            ws()
            guard i < n else { return false }
            if p[i] == UInt8(ascii: ",") { i &+= 1; continue }
            if p[i] == UInt8(ascii: "}") { i &+= 1; return true }
            return false
        }
    }

    mutating func value(_ node: Int32, _ act: Int32) -> Bool {
        ws()
        guard i < n else { return false }
        switch p[i] {
        case UInt8(ascii: "{"):
            guard act < 0 else { return false }
            let child = node >= 0 ? trie.next[Int(node) << 8 | 0x2e] : PolicyTrie.dead
            if child < 0 { return skipContainer() }
            return object(child)
        case UInt8(ascii: "["):
            guard act < 0 else { return false }
            i &+= 1
            ws()
            if i < n, p[i] == UInt8(ascii: "]") { i &+= 1; return true }
            while true {
                // Elements share the field's path (as in the walker).
                guard value(node, -1) else { return false }
                ws()
                guard i < n else { return false }
                if p[i] == UInt8(ascii: ",") { i &+= 1; continue }
                if p[i] == UInt8(ascii: "]") { i &+= 1; return true }
                return false
            }
        case UInt8(ascii: "\""):
            if act < 0 { return skipString() }
            let start = i
            i &+= 1
            while true {
                guard i < n else { return false }
                let b = p[i]
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") { return false }
                i &+= 1
            }
            let content = UnsafeRawBufferPointer(start: p + start + 1, count: i &- start &- 1)
            i &+= 1
            flush(to: start)
            copied = i
            splice(content, act)
            return true
        default:
            let start = i
            while i < n {
                let b = p[i]
                if b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || Self.isSpace(b) { break }
                i &+= 1
            }
            guard i > start else { return false }
            guard act >= 0 else { return true }
            if trie.actions[Int(act)] == .patterns { return true }
            let text = UnsafeRawBufferPointer(start: p + start, count: i &- start)
            return text.elementsEqual("null".utf8)
        }
    }

    /// A masked string value's replacement, written where the value was.
    @inline(__always)
    mutating func splice(_ content: UnsafeRawBufferPointer, _ act: Int32) {
        let action = trie.actions[Int(act)]
        if action == .patterns {
            let start = out.count + 1
            if masker.policy.patterns.mayChange(content) {
                masker.maskText(Array(content)).withUnsafeBytes { JSONWriter.string($0, into: &out) }
            } else {
                JSONWriter.string(content, into: &out)
            }
            deferred.append((start &- base)..<(out.count &- 1 &- base))
            return
        }
        let value = masker.splicedValue(content, action: action, tag: UInt8(truncatingIfNeeded: act))
        out.append(contentsOf: value.json)
        if let pair = value.known { known.append(pair) }
    }

    /// Steps over a string the policy does not reach (as `Walker.skipString`).
    mutating func skipString() -> Bool {
        i &+= 1
        while i < n {
            let b = p[i]
            if b == UInt8(ascii: "\"") { i &+= 1; return true }
            i &+= b == UInt8(ascii: "\\") ? 2 : 1
        }
        return false
    }

    /// Steps over an object no rule reaches, copied as it is (as `Walker.skipValue`).
    mutating func skipContainer() -> Bool {
        var depth = 0
        while i < n {
            let b = p[i]
            if b == UInt8(ascii: "\"") { guard skipString() else { return false }; continue }
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth &+= 1 }
            if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                depth &-= 1
                if depth == 0 { i &+= 1; return true }
            }
            i &+= 1
        }
        return false
    }
}
