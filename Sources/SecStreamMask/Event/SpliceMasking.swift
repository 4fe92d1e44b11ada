import Foundation
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
    /// Per action: `patterns`, `drop` (read without copying the action and its strings).
    let isPatterns: [Bool]
    let isDrop: [Bool]

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
        isPatterns = actions.map { $0 == .patterns }
        isDrop = actions.map { $0 == .drop }
    }
}

/// The splicing walk's masked values, inline: a slot of 64 bytes (one cache
/// line) holds the value's bytes, its action tag and its quoted replacement,
/// two slots per set, so a hit is one line read and one copy — no pointer to
/// follow, nothing retained. Values or replacements too long for a slot, and
/// pairs whose escaped form differs from their bytes, stay in the
/// `SplicedValue` cache. Owned by one `EventMasker`, freed by it.
struct InlineValueTable {
    static let keyMax = 24, jsonMax = 28
    // Slot layout: hash (8), key length, tag, replacement length, flags (bit 0:
    // the walker records a (value, replacement) pair), key (24), replacement (28).
    private static let slotSize = 64, keyAt = 12, jsonAt = 36
    private let slots: UnsafeMutableRawPointer
    private let mask: Int

    /// `count`: a power of two.
    init(count: Int) {
        precondition(count >= 2 && count & (count - 1) == 0)
        // calloc: pages arrive zeroed (empty) when first touched.
        slots = calloc(count, Self.slotSize)!
        mask = count - 1
    }

    func deallocate() { free(slots) }

    @inline(__always)
    private func slot(_ index: Int) -> UnsafeMutableRawPointer { slots + index &* Self.slotSize }

    /// The slot holding (key, tag), or nil.
    @inline(__always)
    func find(_ key: UnsafeRawBufferPointer, tag: UInt8, hash: UInt64) -> UnsafeRawPointer? {
        let set = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask & ~1
        for index in set...(set | 1) {
            let s = slot(index)
            if s.load(as: UInt64.self) == hash && s.load(fromByteOffset: 8, as: UInt8.self) == UInt8(truncatingIfNeeded: key.count)
                && s.load(fromByteOffset: 9, as: UInt8.self) == tag
                && (key.count == 0 || memcmp(s + Self.keyAt, key.baseAddress!, key.count) == 0) {
                return UnsafeRawPointer(s)
            }
        }
        return nil
    }

    func insert(_ key: UnsafeRawBufferPointer, tag: UInt8, hash: UInt64, json: [UInt8], recordsPair: Bool) {
        guard key.count <= Self.keyMax, json.count <= Self.jsonMax else { return }
        let set = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask & ~1
        var index = set | Int(truncatingIfNeeded: (hash >> 40) & 1)
        if slot(set).load(as: UInt64.self) == 0 { index = set } else if slot(set | 1).load(as: UInt64.self) == 0 { index = set | 1 }
        let s = slot(index)
        s.storeBytes(of: hash, as: UInt64.self)
        s.storeBytes(of: UInt8(key.count), toByteOffset: 8, as: UInt8.self)
        s.storeBytes(of: tag, toByteOffset: 9, as: UInt8.self)
        s.storeBytes(of: UInt8(json.count), toByteOffset: 10, as: UInt8.self)
        s.storeBytes(of: recordsPair ? 1 : 0, toByteOffset: 11, as: UInt8.self)
        if key.count > 0 { (s + Self.keyAt).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        json.withUnsafeBytes { (s + Self.jsonAt).copyMemory(from: $0.baseAddress!, byteCount: json.count) }
    }

    /// A found slot's replacement (quoted) and whether the walker records a pair for it.
    @inline(__always)
    static func json(_ slot: UnsafeRawPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: slot + jsonAt, count: Int(slot.load(fromByteOffset: 10, as: UInt8.self)))
    }

    @inline(__always)
    static func recordsPair(_ slot: UnsafeRawPointer) -> Bool { slot.load(fromByteOffset: 11, as: UInt8.self) & 1 != 0 }
}

/// A masked value recurring in free text, for `replaceKnown`: where its raw
/// bytes are in the line and its masked bytes in the output (`owned` < 0), or
/// the index of a pair held as arrays (when its escaped form differs).
struct KnownRef {
    var rawStart: Int
    var rawCount: Int
    var maskedStart: Int
    var maskedCount: Int
    var owned: Int
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
    var known: [KnownRef]
    var owned: [(raw: [UInt8], masked: [UInt8])]
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
            if act >= 0, trie.isDrop[Int(act)] { return false }
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
            splice(content, at: start &+ 1, act)
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
            if trie.isPatterns[Int(act)] { return true }
            let text = UnsafeRawBufferPointer(start: p + start, count: i &- start)
            return text.elementsEqual("null".utf8)
        }
    }

    /// A masked string value's replacement, written where the value was.
    @inline(__always)
    mutating func splice(_ content: UnsafeRawBufferPointer, at offset: Int, _ act: Int32) {
        if trie.isPatterns[Int(act)] {
            let start = out.count + 1
            if masker.policy.patterns.mayChange(content) {
                masker.maskText(Array(content)).withUnsafeBytes { JSONWriter.string($0, into: &out) }
            } else {
                JSONWriter.string(content, into: &out)
            }
            deferred.append((start &- base)..<(out.count &- 1 &- base))
            return
        }
        let tag = UInt8(truncatingIfNeeded: act)
        let hash = ByteKeyCache<SplicedValue>.hash(content, tag: tag)
        let table = masker.inlineValues
        if content.count <= InlineValueTable.keyMax, let slot = table.find(content, tag: tag, hash: hash) {
            let json = InlineValueTable.json(slot)
            if InlineValueTable.recordsPair(slot) {
                known.append(KnownRef(rawStart: offset, rawCount: content.count, maskedStart: out.count &+ 1,
                                      maskedCount: json.count &- 2, owned: -1))
            }
            out.append(contentsOf: json)
            return
        }
        let value = masker.splicedValue(content, action: trie.actions[Int(act)], tag: tag, hash: hash)
        var inline = true
        if let pair = value.known {
            if pair.raw.elementsEqual(content) {
                known.append(KnownRef(rawStart: offset, rawCount: content.count, maskedStart: out.count &+ 1,
                                      maskedCount: value.json.count &- 2, owned: -1))
            } else {
                known.append(KnownRef(rawStart: 0, rawCount: 0, maskedStart: 0, maskedCount: 0, owned: owned.count))
                owned.append(pair)
                inline = false
            }
        }
        out.append(contentsOf: value.json)
        if inline { table.insert(content, tag: tag, hash: hash, json: value.json, recordsPair: value.known != nil) }
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
