import CJSONScan
import CMaskSplice
import Foundation
import SecStreamCore

/// The policy's exact field paths as a byte trie over dotted paths, so the
/// splicing walk (`SpliceWalk`) follows a key with one table step per byte
/// instead of hashing the path at every member. Built only for policies the
/// splicing walk handles (exact ASCII names, no wildcards); nil otherwise.
/// The tables are read through pointers: the walk copies no array (a copy is
/// a retain and a release per line).
final class PolicyTrie {
    static let dead: Int32 = -1
    /// Child of node `n` on byte `b` at `n << 8 | b` (`dead` when none).
    let next: UnsafeMutableBufferPointer<Int32>
    /// Per node: the index in `actions` of the path ending there, -1 for none.
    let action: UnsafeMutableBufferPointer<Int32>
    /// The distinct actions (an index is a cache tag: at most 255 of them).
    let actions: [MaskAction]
    /// Per action: `patterns`, `drop` (read without copying the action and its strings).
    let isPatterns: UnsafeMutableBufferPointer<Bool>
    let isDrop: UnsafeMutableBufferPointer<Bool>
    let isCryptoPAn: UnsafeMutableBufferPointer<Bool>
    /// Per action: may its replacement not fit an `InlineValueTable` slot
    /// (a long HMAC or redaction text; addresses and times are told by a `:`).
    let mayOverflow: UnsafeMutableBufferPointer<Bool>
    /// Per action: what it is to the splice in C (`SECSTREAM_MASK_*`).
    let actionClass: UnsafeMutableBufferPointer<UInt8>
    /// The policy's paths (sorted) and each one's index in `actions`: what a
    /// field scanner is asked to find for `EventMasker.maskScanned`.
    let paths: [String]
    let pathActions: UnsafeMutableBufferPointer<Int32>

    private static func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
        let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, a.count))
        _ = p.initialize(from: a)
        return p
    }

    deinit {
        next.deallocate(); action.deallocate(); isPatterns.deallocate(); isDrop.deallocate(); isCryptoPAn.deallocate(); mayOverflow.deallocate()
        actionClass.deallocate(); pathActions.deallocate()
    }

    init?(_ policy: MaskPolicy) {
        guard policy.wildcards.isEmpty else { return nil }
        var next = [Int32](repeating: Self.dead, count: 256)
        var action: [Int32] = [-1]
        var actions: [MaskAction] = []
        var paths: [String] = [], pathActions: [Int32] = []
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
            paths.append(path)
            pathActions.append(Int32(id))
        }
        self.paths = paths
        self.pathActions = Self.copy(pathActions)
        self.next = Self.copy(next)
        self.action = Self.copy(action)
        self.actions = actions
        isPatterns = Self.copy(actions.map { $0 == .patterns })
        isDrop = Self.copy(actions.map { $0 == .drop })
        isCryptoPAn = Self.copy(actions.map { $0 == .cryptopan })
        actionClass = Self.copy(actions.map {
            switch $0 {
            case .cryptopan: return UInt8(SECSTREAM_MASK_CRYPTOPAN)
            case .patterns: return UInt8(SECSTREAM_MASK_PATTERNS)
            case .drop: return UInt8(SECSTREAM_MASK_DROP)
            default: return UInt8(SECSTREAM_MASK_HASHED)
            }
        })
        mayOverflow = Self.copy(actions.map {
            switch $0 {
            case .hmac(let length, let prefix): return prefix.utf8.count * 6 + length + 2 > InlineValueTable.jsonMax
            case .redact(let with): return with.utf8.count * 6 + 2 > InlineValueTable.jsonMax
            default: return false
            }
        })
    }
}

/// A policy trie's per-path and per-action tables as plain pointers, for
/// the per-line paths (`planScanned`, `appendMasked`): read through the trie,
/// a class, they cost a retain and a release per line. Valid while the trie lives.
struct SpliceTables {
    let pathCount: Int
    let pathActions: UnsafeMutablePointer<Int32>
    let isDrop: UnsafeMutablePointer<Bool>
    let isPatterns: UnsafeMutablePointer<Bool>
    let isCryptoPAn: UnsafeMutablePointer<Bool>
    let mayOverflow: UnsafeMutablePointer<Bool>

    init(_ trie: PolicyTrie) {
        pathCount = trie.paths.count
        pathActions = trie.pathActions.baseAddress!
        isDrop = trie.isDrop.baseAddress!
        isPatterns = trie.isPatterns.baseAddress!
        isCryptoPAn = trie.isCryptoPAn.baseAddress!
        mayOverflow = trie.mayOverflow.baseAddress!
    }
}

/// The splicing walk's masked values, inline: a slot of 64 bytes (one cache
/// line) holds the value's bytes, its action tag and its quoted replacement,
/// two slots per set, so a hit is one line read and one copy — no pointer to
/// follow, nothing retained. Values or replacements too long for a slot, and
/// pairs whose escaped form differs from their bytes, stay in the
/// `SplicedValue` cache. Owned by one `EventMasker`, freed by it.
struct InlineValueTable {
    static let keyMax = Int(SECSTREAM_INLINE_KEY_MAX), jsonMax = Int(SECSTREAM_INLINE_JSON_MAX)
    /// The slots (the layout is `mask_splice.h`'s, which the splice reads).
    let slots: UnsafeMutableRawPointer
    let mask: Int

    /// `count`: a power of two.
    init(count: Int) {
        precondition(count >= 2 && count & (count - 1) == 0)
        guard let table = secstream_table_alloc(count * Int(SECSTREAM_INLINE_SLOT)) else {
            fatalError("out of memory for the masked value table")
        }
        slots = table
        mask = count - 1
    }

    func deallocate() { secstream_table_free(slots) }

    /// The slot holding (key, tag), or nil.
    @inline(__always)
    func find(_ key: UnsafeRawBufferPointer, tag: UInt8, hash: UInt64) -> UnsafeRawPointer? {
        let found = secstream_inline_find(slots.assumingMemoryBound(to: UInt8.self), UInt64(mask),
                                          key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count, tag, hash)
        return found.map { UnsafeRawPointer($0) }
    }

    func insert(_ key: UnsafeRawBufferPointer, tag: UInt8, hash: UInt64, json: [UInt8], recordsPair: Bool) {
        json.withUnsafeBufferPointer { j in
            secstream_inline_insert(slots.assumingMemoryBound(to: UInt8.self), UInt64(mask),
                                    key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count, tag, hash,
                                    j.baseAddress, j.count, recordsPair ? 1 : 0)
        }
    }

    /// A found slot's replacement (quoted) and whether the walker records a pair for it.
    @inline(__always)
    static func json(_ slot: UnsafeRawPointer) -> UnsafeRawBufferPointer {
        let s = slot.assumingMemoryBound(to: UInt8.self)
        return UnsafeRawBufferPointer(start: secstream_inline_json(s), count: secstream_inline_json_count(s))
    }

    @inline(__always)
    static func recordsPair(_ slot: UnsafeRawPointer) -> Bool { secstream_inline_records_pair(slot.assumingMemoryBound(to: UInt8.self)) != 0 }
}

/// A map of 32-bit keys to 32-bit values in 8 bytes an entry, open
/// addressing (Crypto-PAn's flips per /24), and the canonical dotted-quad
/// parse the splice uses.
struct IPv4Table {
    private static let empty = UInt64.max
    private let entries: UnsafeMutablePointer<UInt64>
    private let bits: Int

    init(bits: Int) {
        self.bits = bits
        entries = .allocate(capacity: 1 << bits)
        entries.initialize(repeating: Self.empty, count: 1 << bits)
    }

    func deallocate() { entries.deallocate() }

    @inline(__always)
    private func home(_ address: UInt32) -> Int { Int(truncatingIfNeeded: (address &* 0x9E37_79B1) >> UInt32(32 - bits)) }

    @inline(__always)
    func find(_ address: UInt32) -> UInt32? {
        let mask = (1 << bits) - 1
        var i = home(address)
        for _ in 0..<4 {
            let e = entries[i]
            if e == Self.empty { return nil }
            if UInt32(truncatingIfNeeded: e >> 32) == address { return UInt32(truncatingIfNeeded: e) }
            i = (i + 1) & mask
        }
        return nil
    }

    func insert(_ address: UInt32, _ masked: UInt32) {
        let entry = UInt64(address) << 32 | UInt64(masked)
        guard entry != Self.empty else { return }
        let mask = (1 << bits) - 1
        let first = home(address)
        var i = first
        for _ in 0..<4 {
            if entries[i] == Self.empty { entries[i] = entry; return }
            i = (i + 1) & mask
        }
        entries[first] = entry  // a full run: the home slot is replaced (a later miss recomputes)
    }

    /// A canonical dotted quad (`0`-`255`, no leading zeros: exactly what
    /// inet_pton accepts, and what `IPText.format` prints); nil for anything else.
    @inline(__always)
    static func parse(_ text: UnsafeRawBufferPointer) -> UInt32? {
        let n = text.count
        guard n >= 7 && n <= 15, let p = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        // Octet by octet, its one to three digits unrolled (a loop over bytes
        // with a state per byte took twice the instructions).
        var value: UInt32 = 0, i = 0
        for part in 0..<4 {
            guard i < n else { return nil }
            let d0 = p[i] &- 0x30
            guard d0 < 10 else { return nil }
            var octet = UInt32(d0)
            i &+= 1
            if i < n, case let d1 = p[i] &- 0x30, d1 < 10 {
                guard d0 != 0 else { return nil }  // a leading zero
                octet = octet &* 10 &+ UInt32(d1)
                i &+= 1
                if i < n, case let d2 = p[i] &- 0x30, d2 < 10 {
                    octet = octet &* 10 &+ UInt32(d2)
                    i &+= 1
                    guard octet <= 255 else { return nil }
                }
            }
            value = value << 8 | octet
            if part < 3 {
                guard i < n, p[i] == UInt8(ascii: ".") else { return nil }
                i &+= 1
            }
        }
        return i == n ? value : nil
    }

}

/// What `EventMasker.appendMasked` wrote, for the free text's `replaceKnown`:
/// nothing to record, the masked text's place in the output (its raw bytes
/// are the value's), or a pair held as arrays (the escaped forms differ).
enum MaskedAppend {
    case none
    case inline(start: Int, count: Int)
    case owned(raw: [UInt8], masked: [UInt8])
}

extension EventMasker {
    /// Appends the quoted masked form of the unescaped string `content` under
    /// a non-`patterns` action of `trie`, from the caches where it can (an
    /// IPv4 address's pseudonym from `ipv4Values`, a short value's quoted
    /// replacement from `inlineValues`), and says what `replaceKnown` would record.
    @inline(__always)
    func appendMasked<Output: MaskOutput>(_ content: UnsafeRawBufferPointer, _ act: Int32, _ tables: SpliceTables,
                                          into out: inout Output) -> MaskedAppend {
        appendMasked(content, act, tables, key: valueKey(content, act, tables), into: &out)
    }

    /// `appendMasked` with the value's cache key already computed (`valueKey`).
    @inline(__always)
    func appendMasked<Output: MaskOutput>(_ content: UnsafeRawBufferPointer, _ act: Int32, _ tables: SpliceTables,
                                          key: ValueKey, into out: inout Output) -> MaskedAppend {
        if case .ipv4(let textKey) = key {
            // A text that may be an IPv4 address: its pseudonym from the table
            // of address texts, else (a new one) parsed and computed, and
            // printed as `IPText.format` prints it.
            let table = ipv4Values
            var entry = table.find(textKey)
            if entry == nil, let address = IPv4Table.parse(content) {
                let masked = cryptoPAnV4(address)
                entry = table.insert(textKey, masked, changed: masked != address)
            }
            if let entry {
                let start = out.count &+ 1
                IPv4TextTable.appendQuoted(entry, to: &out)
                // The walker's pair: the text is 7 bytes or longer; recorded when it changed.
                return entry.changed ? .inline(start: start, count: entry.count) : .none
            }
            // Not a canonical dotted quad: the general way.
            return appendMasked(content, act, tables, key: .hashed(valueHash(content, act)), into: &out)
        }
        let tag = UInt8(truncatingIfNeeded: act)
        guard case .hashed(let hash) = key else { preconditionFailure("an IPv4 key is handled above") }
        let table = inlineValues
        if content.count <= InlineValueTable.keyMax, let slot = table.find(content, tag: tag, hash: hash) {
            let json = InlineValueTable.json(slot)
            let start = out.count &+ 1
            out.write(json)
            return InlineValueTable.recordsPair(slot) ? .inline(start: start, count: json.count &- 2) : .none
        }
        // A result that fits a slot is computed afresh (the value is most
        // likely new: a second cache would only cost a miss); others go
        // through the SplicedValue cache.
        let fits = content.count <= InlineValueTable.keyMax && !tables.mayOverflow[Int(act)]
            && !content.contains(UInt8(ascii: ":"))
        let action = trie!.actions[Int(act)]  // a miss: the action itself (there is a trie: `tables` came from it)
        let value = fits ? computeSpliced(content, action: action, cached: false)
                         : splicedValue(content, action: action, tag: tag, hash: hash)
        var result = MaskedAppend.none
        if let pair = value.known {
            result = pair.raw.elementsEqual(content) ? .inline(start: out.count &+ 1, count: value.json.count &- 2)
                                                     : .owned(raw: pair.raw, masked: pair.masked)
        }
        value.json.withUnsafeBytes { out.write($0) }
        if case .owned = result {
            if fits { storeSpliced(content, tag: tag, hash: hash, value) }
        } else if value.json.count <= InlineValueTable.jsonMax && content.count <= InlineValueTable.keyMax {
            table.insert(content, tag: tag, hash: hash, json: value.json, recordsPair: value.known != nil)
        } else if fits {
            storeSpliced(content, tag: tag, hash: hash, value)
        }
        return result
    }
}

/// The splicing walk's per-line lists, kept by the masker for their capacity:
/// the masked values (for `replaceKnown`), pairs held as arrays, and where the
/// pattern-masked strings are in the output.
struct SpliceLists {
    var known: [KnownRef] = []
    var owned: [(raw: [UInt8], masked: [UInt8])] = []
    var deferred: [Range<Int>] = []
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
    unowned(unsafe) let trie: PolicyTrie
    unowned(unsafe) let masker: EventMasker
    let next: UnsafeMutablePointer<Int32>
    let action: UnsafeMutablePointer<Int32>
    let isPatterns: UnsafeMutablePointer<Bool>
    let isDrop: UnsafeMutablePointer<Bool>
    let isCryptoPAn: UnsafeMutablePointer<Bool>
    let tables: SpliceTables
    let base: Int
    var i = 0
    var copied = 0
    var out: [UInt8]
    var lists = SpliceLists()
    /// Finds the special bytes (`"`, `\\`, control, non-ASCII) a 64-byte block
    /// at a time, as the field scanner does.
    private var specials: StringSpecialIndex

    /// `trie` and `masker` outlive the walk (the masker owns both and runs it).
    init(p: UnsafePointer<UInt8>, n: Int, trie: PolicyTrie, masker: EventMasker, base: Int) {
        self.p = p
        self.n = n
        specials = StringSpecialIndex(p, n)
        self.trie = trie
        self.masker = masker
        next = trie.next.baseAddress!
        action = trie.action.baseAddress!
        isPatterns = trie.isPatterns.baseAddress!
        isDrop = trie.isDrop.baseAddress!
        isCryptoPAn = trie.isCryptoPAn.baseAddress!
        tables = SpliceTables(trie)
        self.base = base
        out = []
    }

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
                // Past the policy's paths: straight to the next special byte.
                if node < 0 { i = nextSpecial(i) }
                guard i < n else { return false }
                let b = p[i]
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { return false }
                if node >= 0 { node = next[Int(node) << 8 | Int(b)] }
                i &+= 1
            }
            i &+= 1
            ws()
            guard i < n, p[i] == UInt8(ascii: ":") else { return false }
            i &+= 1
            let act = node >= 0 ? action[Int(node)] : -1
            if act >= 0, isDrop[Int(act)] { return false }
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
            let child = node >= 0 ? next[Int(node) << 8 | 0x2e] : PolicyTrie.dead
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
                i = nextSpecial(i)
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
            if isPatterns[Int(act)] { return true }
            let text = UnsafeRawBufferPointer(start: p + start, count: i &- start)
            return text.elementsEqual("null".utf8)
        }
    }

    /// A masked string value's replacement, written where the value was.
    @inline(__always)
    mutating func splice(_ content: UnsafeRawBufferPointer, at offset: Int, _ act: Int32) {
        if isPatterns[Int(act)] {
            let start = out.count + 1
            let clues = TextClues(content)
            if masker.policy.patterns.mayChange(clues) {
                out.append(UInt8(ascii: "\""))
                masker.appendMaskedText(content, clues: clues, into: &out)
                out.append(UInt8(ascii: "\""))
            } else {
                JSONWriter.string(content, into: &out)
            }
            lists.deferred.append((start &- base)..<(out.count &- 1 &- base))
            return
        }
        switch masker.appendMasked(content, act, tables, into: &out) {
        case .none:
            break
        case .inline(let start, let count):
            lists.known.append(KnownRef(rawStart: offset, rawCount: content.count, maskedStart: start, maskedCount: count, owned: -1))
        case .owned(let raw, let masked):
            lists.known.append(KnownRef(rawStart: 0, rawCount: 0, maskedStart: 0, maskedCount: 0, owned: lists.owned.count))
            lists.owned.append((raw, masked))
        }
    }

    /// Steps over a string the policy does not reach (as `Walker.skipString`).
    mutating func skipString() -> Bool {
        i &+= 1
        while i < n {
            i = nextSpecial(i)
            guard i < n else { return false }
            let b = p[i]
            if b == UInt8(ascii: "\"") { i &+= 1; return true }
            i &+= b == UInt8(ascii: "\\") ? 2 : 1
        }
        return false
    }

    /// The first special byte (`"`, `\\`, control, non-ASCII) at or after
    /// `from`, or `n`: the bytes before it are ones every string loop here
    /// steps over one at a time.
    @inline(__always)
    mutating func nextSpecial(_ from: Int) -> Int { specials.next(from: from) }

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
