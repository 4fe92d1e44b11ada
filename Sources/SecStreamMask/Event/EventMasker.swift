#if canImport(Glibc)
import Glibc
#endif
import CMaskSplice
import SecStreamCore

/// Applies a policy to NDJSON events, alert group values and free text. One
/// instance per thread (it owns a Crypto-PAn cipher and cache): `copy()`
/// gives a worker its own.
///
/// An event is walked once, byte by byte, and rewritten: members no rule
/// reaches are copied as they are (numbers, escapes and key order untouched),
/// so an unmasked field reads back exactly as it came.
public final class EventMasker {
    public let policy: MaskPolicy
    private let cryptoPAn: CryptoPAn
    private let hmacKey: [UInt8]
    /// HMAC-SHA256 under the key, its pads hashed once.
    private let hmacContext: HMACContext
    /// Actions by path (bytes), so wildcard names are tried once per distinct
    /// path and a lookup allocates nothing.
    private var actions = ByteKeyCache<MaskAction?>(slots: 4096)
    /// Whether any rule reaches under an object's path.
    private var reaching = ByteKeyCache<Bool>(slots: 4096)
    /// Pseudonyms already computed (user names, addresses repeat): HMAC per distinct value.
    private var pseudonyms = ByteKeyCache<[UInt8]>(slots: 1 << 16)
    /// Crypto-PAn pseudonyms by address text: parsing and printing cost more than the cached AES.
    private var addresses = ByteKeyCache<[UInt8]>(slots: 1 << 16)
    /// The splicing walk's masked values by (action, value bytes): one lookup
    /// per masked field, nothing allocated on a hit.
    private var spliced = ByteKeyCache<SplicedValue>(slots: 1 << 14)
    /// The policy's paths for the splicing walk (nil: every line is walked).
    let trie: PolicyTrie?
    /// `trie`'s tables as plain pointers (`trie` keeps them alive).
    let tables: SpliceTables?
    /// The splicing walk's per-line lists, kept for their capacity.
    var spliceLists = SpliceLists()
    /// `splice`'s copy of a line whose free text gets the masked values
    /// replaced: kept for its capacity.
    var knownScratch: [UInt8] = []
    /// The free-text patterns' buffers (`appendMaskedText`).
    var textScratch = TextScratch()
    /// `maskScanned`'s buffers for a line with free text (one property: one
    /// swap a line), and where each masked value is in them.
    var freeTextBuffers = FreeTextBuffers()
    let freeTextSpans: UnsafeMutablePointer<Range<Int>>
    /// The pairs recorded for one line's free text (one per masked value at most).
    let freeTextKnown: UnsafeMutablePointer<KnownRef>
    /// The same pairs where their bytes lie, and two offsets a value, for
    /// the free-text line's C path (`secstream_mask_free_text_line`).
    let freeTextPairs: UnsafeMutablePointer<secstream_known_pair_t>
    let freeTextOffsets: UnsafeMutablePointer<Int32>
    /// Its buffers: the values' replacements and two for the texts (raw, so
    /// a line costs no swap of `freeTextBuffers` and no exclusivity checks).
    let freeTextBytes = UnsafeMutablePointer<secstream_bytes_t>.allocate(capacity: 3)
    /// The policy's pattern kinds, as clue bits (`TextClues.kindBits`), for
    /// the free-text line's C path, which takes a text in which only `email`
    /// and `ipv4` of them can match. nil (never that path): the kinds lack
    /// `ipv4` or have a custom rule, or the policy has so many actions that
    /// one could take the e-mail pseudonyms' tag.
    let freeTextKindsInC: UInt8?
    /// Free text's e-mail replacements by address.
    private var emailPseudonyms = ByteKeyCache<[UInt8]>(slots: 1 << 12)
    /// The splicing walk's first cache (one cache line per value).
    let inlineValues: InlineValueTable
    /// The splicing walk's Crypto-PAn pseudonyms of IPv4 addresses.
    let ipv4Values: IPv4TextTable
    /// How many values a masker's caches are made for.
    public enum Caches: Sendable {
        /// Every event of a stream (the archive's maskers, query output):
        /// 65,536 values and 131,072 addresses, 4 MiB each.
        case stream
        /// A few values now and then (alert groups, dead letters): 64 KiB
        /// each. The two tables are zeroed memory the kernel provides page
        /// by page as they are first touched; a masker made at start-up with
        /// the stream's size cost a run ~35 ms of page clearing.
        case few

        var valueSlots: Int { self == .stream ? 1 << 16 : 1 << 10 }
        var addressBits: Int { self == .stream ? 17 : 11 }
    }
    /// `planScanned`'s values for `maskScanned`: two halves of one per scanned
    /// path, used in turn (`nextPlanHalf`), for two outstanding plans.
    let scannedValues: UnsafeMutablePointer<ScannedValue>
    @exclusivity(unchecked) var nextPlanHalf = 0
    /// The trie's and the value tables' pointers for the plan and the splice in C.
    /// (Behind a pointer: `withUnsafePointer(to:)` on a stored property is a
    /// runtime exclusivity check a line.)
    let spliceTables = UnsafeMutablePointer<secstream_mask_tables_t>.allocate(capacity: 1)
    /// Lines `maskLine` spliced rather than walked (tests check both paths run).
    /// (Counters bumped once a line: unchecked, as the masker is one thread's
    /// at a time, so a line costs no runtime exclusivity check.)
    @exclusivity(unchecked) public private(set) var linesSpliced = 0
    /// Of those, the lines `maskScanned` spliced at the scanner's slots, without a walk.
    @exclusivity(unchecked) public internal(set) var linesSplicedFromSlots = 0
    /// Of those, lines with free text masked in C (`secstream_mask_free_text_line`).
    @exclusivity(unchecked) public internal(set) var freeTextLinesInC = 0

    public init(policy: MaskPolicy, caches: Caches = .stream) {
        self.policy = policy
        inlineValues = InlineValueTable(count: caches.valueSlots)
        ipv4Values = IPv4TextTable(bits: caches.addressBits)
        cryptoPAn = CryptoPAn(key: policy.key.bytes)
        hmacKey = policy.key.bytes
        hmacContext = HMACContext(key: policy.key.bytes)
        trie = PolicyTrie(policy)
        tables = trie.map { SpliceTables($0) }
        scannedValues = .allocate(capacity: max(1, 2 * (trie?.paths.count ?? 0)))
        freeTextSpans = .allocate(capacity: max(1, trie?.paths.count ?? 0))
        freeTextKnown = .allocate(capacity: max(1, trie?.paths.count ?? 0))
        freeTextPairs = .allocate(capacity: max(1, trie?.paths.count ?? 0))
        freeTextOffsets = .allocate(capacity: max(1, 2 * (trie?.paths.count ?? 0)))
        freeTextBytes.initialize(repeating: secstream_bytes_t(), count: 3)
        freeTextKindsInC = (trie?.actions.count ?? 0) < Int(SECSTREAM_EMAIL_TAG) ? policy.patterns.kindBits : nil
        // The plan in C reads the scanner's slots as `secstream_field_slot_t`.
        precondition(MemoryLayout<FieldSlot>.stride == MemoryLayout<secstream_field_slot_t>.stride
                     && MemoryLayout<FieldSlot>.offset(of: \FieldSlot.kind) == MemoryLayout<secstream_field_slot_t>.offset(of: \.kind))
        spliceTables.initialize(to: secstream_mask_tables_t())
        if let trie {
            spliceTables.pointee = secstream_mask_tables_t(
                path_count: Int32(trie.paths.count), path_actions: UnsafePointer(trie.pathActions.baseAddress),
                action_class: UnsafePointer(trie.actionClass.baseAddress), ipv4_entries: UnsafePointer(ipv4Values.entries),
                ipv4_bits: Int32(ipv4Values.bits), inline_slots: UnsafePointer(inlineValues.slots.assumingMemoryBound(to: UInt8.self)),
                inline_mask: UInt64(inlineValues.mask), free_text_quads: freeTextKindsInC != nil ? 1 : 0)
        }
    }

    deinit {
        inlineValues.deallocate()
        ipv4Values.deallocate()
        scannedValues.deallocate()
        spliceTables.deallocate()
        freeTextSpans.deallocate()
        freeTextKnown.deallocate()
        freeTextPairs.deallocate()
        freeTextOffsets.deallocate()
        for k in 0..<3 { secstream_bytes_free(freeTextBytes + k) }
        freeTextBytes.deallocate()
        freeTextBuffers.deallocate()
    }

    /// The Crypto-PAn pseudonym of an IPv4 address.
    func cryptoPAnV4(_ address: UInt32) -> UInt32 { cryptoPAn.anonymizeUncached(v4: address) }

    public func copy() -> EventMasker { EventMasker(policy: policy) }

    private func action(_ path: String) -> MaskAction? { action(bytes: Array(path.utf8)) }

    fileprivate func action(bytes path: [UInt8]) -> MaskAction? {
        if let cached = actions.get(path) { return cached }
        let a = policy.action(for: String(decoding: path, as: UTF8.self))
        actions.set(path, a)
        return a
    }

    fileprivate func reaches(under path: [UInt8]) -> Bool {
        if let cached = reaching.get(path) { return cached }
        let r = policy.reaches(under: String(decoding: path, as: UTF8.self))
        reaching.set(path, r)
        return r
    }

    // MARK: whole lines

    /// The masked line (no newline). A line that is not a JSON object cannot
    /// be masked field by field: it gets the free-text patterns as a whole.
    public func maskLine(_ line: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(line.count + 64)
        maskLine(line, into: &out)
        return out
    }

    /// The masked line appended to `out` (a buffer the caller reuses): the
    /// same bytes as `maskLineByWalk`. The line is copied in runs with the
    /// masked values spliced in (`SpliceWalk`); a line it does not handle is walked.
    public func maskLine(_ line: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard let trie, let base = line.baseAddress, line.count > 0 else {
            out.append(contentsOf: maskLineByWalk(line))
            return
        }
        splice(line, base, trie, into: &out) { $0.line() }
    }

    /// Appends the line masked by `body`, which splices its masked values into
    /// `walk.out` (false: it gives the line up, and the walker masks it), then
    /// replaces the masked values that recur in its free text.
    @inline(__always)
    func splice(_ line: UnsafeRawBufferPointer, _ base: UnsafeRawPointer, _ trie: PolicyTrie, into out: inout [UInt8],
                _ body: (inout SpliceWalk) -> Bool) {
        let start = out.count
        var walk = SpliceWalk(p: base.assumingMemoryBound(to: UInt8.self), n: line.count, trie: trie, masker: self, base: start)
        swap(&walk.out, &out)
        swap(&walk.lists, &spliceLists)  // one access to the class's property per line, not one per list
        let ok = body(&walk)
        swap(&walk.out, &out)
        defer {
            walk.lists.known.removeAll(keepingCapacity: true)
            walk.lists.owned.removeAll(keepingCapacity: true)
            walk.lists.deferred.removeAll(keepingCapacity: true)
            swap(&walk.lists, &spliceLists)
        }
        guard ok else {
            out.removeSubrange(start...)
            out.append(contentsOf: maskLineByWalk(line))
            return
        }
        linesSpliced &+= 1
        if walk.lists.known.isEmpty || walk.lists.deferred.isEmpty { return }
        // The masked line moves to the kept scratch buffer and comes back
        // with the known values replaced in its free text; the pairs are read
        // where they lie: in the line and the scratch, or, for a pair held as
        // arrays (its escaped form differs; rare), in `owned`'s bytes.
        var masked: [UInt8] = []
        swap(&masked, &knownScratch)
        masked.removeAll(keepingCapacity: true)
        masked.append(contentsOf: out[start...])
        out.removeSubrange(start...)
        let owned = KnownPairBytes(walk.lists.owned)
        walk.lists.known.withUnsafeBufferPointer { known in
            owned.bytes.withUnsafeBytes { o in
                masked.withUnsafeBytes { m in
                    // A ref's masked start is the output's offset: the masked line began at `start`.
                    let pairs = KnownPairs(refs: known.baseAddress, count: known.count, line: line, masked: m,
                                           maskedOffset: start, owned: owned, ownedBytes: o)
                    replaceKnown(count: pairs.count, raw: pairs.raw, masked: pairs.masked,
                                 in: walk.lists.deferred, of: m, into: &out)
                }
            }
        }
        swap(&masked, &knownScratch)
    }

    /// `replaceKnown` over the ranges `ranges` of the masked line `line`,
    /// appended to `out`: the pairs' raw and masked bytes by index, through
    /// the masker's kept pair buffers (not two fresh ones a line).
    private func replaceKnown(count: Int, raw: (Int) -> UnsafeRawBufferPointer, masked: (Int) -> UnsafeRawBufferPointer,
                              in ranges: [Range<Int>], of line: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var buffers = (MaskedBytes(), MaskedBytes())
        swap(&buffers, &freeTextBuffers.pairs)
        defer { swap(&buffers, &freeTextBuffers.pairs) }
        var copied = 0
        for range in ranges {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[copied..<range.lowerBound]))
            Self.replaceKnown(in: UnsafeRawBufferPointer(rebasing: line[range]), count: count, raw: raw, masked: masked,
                              buffers: &buffers, into: &out)
            copied = range.upperBound
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[copied...]))
    }

    /// `maskLine` by the byte-by-byte walk alone (the reference the splicing
    /// walk is tested against).
    public func maskLineByWalk(_ line: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(line.count + 64)
        var walker = Walker(bytes: line, masker: self)
        guard walker.object(forced: nil, into: &out), walker.atEnd() else { return maskText(Array(line)) }
        if walker.known.isEmpty || walker.deferred.isEmpty { return out }
        return replaceKnown(walker.known, in: walker.deferred, of: out)
    }

    /// A value masked in one field often recurs in the event's free text
    /// ("Failed password for alice"), where no pattern can tell it is a name:
    /// each masked value (as JSON-escaped bytes, 4 bytes or longer) is
    /// replaced by its masked form inside the pattern-masked fields' text.
    private func replaceKnown(_ known: [(raw: [UInt8], masked: [UInt8])], in ranges: [Range<Int>],
                              of line: [UInt8]) -> [UInt8] {
        let pairs = KnownPairBytes(known)
        var out: [UInt8] = []
        out.reserveCapacity(line.count + 32)
        pairs.bytes.withUnsafeBytes { p in
            line.withUnsafeBytes { l in
                replaceKnown(count: known.count, raw: { pairs.raw($0, in: p) }, masked: { pairs.masked($0, in: p) },
                             in: ranges, of: l, into: &out)
            }
        }
        return out
    }

    /// Free text through the policy's patterns.
    public func maskText(_ text: [UInt8]) -> [UInt8] {
        text.withUnsafeBytes { t in withTextScratch { policy.patterns.apply(t, clues: TextClues(t), scratch: &$0, values: self) { Array($0) } } }
    }

    /// Appends the escaped text (no quotes) of `text` through the policy's
    /// patterns: `maskText`'s bytes as `JSONWriter.escaped` writes them.
    func appendMaskedText(_ text: UnsafeRawBufferPointer, clues: TextClues, into out: inout [UInt8]) {
        withTextScratch { policy.patterns.apply(text, clues: clues, scratch: &$0, values: self) { JSONWriter.escaped($0, into: &out) } }
    }

    /// `body` with the kept pattern buffers, taken from the class's property
    /// once (one access, not one per rule).
    @inline(__always)
    private func withTextScratch<R>(_ body: (inout TextScratch) -> R) -> R {
        var scratch = TextScratch()
        swap(&scratch, &textScratch)
        defer { swap(&scratch, &textScratch) }
        return body(&scratch)
    }

    // MARK: single values

    /// An alert's group value for `field`. A dropped field's value is redacted
    /// (the group member stays, without its value).
    public func maskValue(field: String, value: String) -> String {
        guard let action = action(field) else { return value }
        return String(decoding: apply(action, to: Array(value.utf8)) ?? Array(MaskAction.redacted.utf8), as: UTF8.self)
    }

    /// The string value after `action`; nil for `drop`. `cached: false`
    /// computes without looking in (or filling) the pseudonym and address caches.
    func apply(_ action: MaskAction, to value: [UInt8], cached: Bool = true) -> [UInt8]? {
        switch action {
        case .drop: return nil
        case .redact(let with): return Array(with.utf8)
        case .hmac(let length, let prefix):
            let h = HMACPseudonym(key: hmacKey, length: length)
            guard cached else {
                var out = Array(prefix.utf8)
                value.withUnsafeBytes { h.pseudonym($0, into: &out, context: hmacContext) }
                return out
            }
            return Array(prefix.utf8) + hex(h, value[...])
        case .cryptopan:
            guard cached else {
                return cryptoPAnText(String(decoding: value, as: UTF8.self)).map { Array($0.utf8) } ?? Array(MaskAction.redacted.utf8)
            }
            if let hit = addresses.get(value) { return hit }
            let masked = cryptoPAnText(String(decoding: value, as: UTF8.self)).map { Array($0.utf8) } ?? Array(MaskAction.redacted.utf8)
            addresses.set(value, masked)
            return masked
        case .truncate:
            return Truncation.apply(value) ?? Array(MaskAction.redacted.utf8)
        case .patterns:
            return maskText(value)
        }
    }

    /// A string value masked by `action` (never `drop` or `patterns`) as the
    /// walker would write it, and the pair it would record for `replaceKnown`.
    func splicedValue(_ value: UnsafeRawBufferPointer, action: MaskAction, tag: UInt8, hash: UInt64) -> SplicedValue {
        if let hit = spliced.get(value, tag: tag, hash: hash) { return hit }
        let result = computeSpliced(value, action: action, cached: true)
        storeSpliced(value, tag: tag, hash: hash, result)
        return result
    }

    /// `splicedValue` computed without the caches (`cached: false`: a value
    /// the inline table missed is most likely new, and a lookup there is a
    /// cache miss of its own).
    func computeSpliced(_ value: UnsafeRawBufferPointer, action: MaskAction, cached: Bool) -> SplicedValue {
        let s = Array(value)
        let masked = apply(action, to: s, cached: cached) ?? []
        var json: [UInt8] = []
        masked.withUnsafeBytes { JSONWriter.string($0, into: &json) }
        var known: (raw: [UInt8], masked: [UInt8])?
        if s.count >= 4 && masked != s {
            var raw: [UInt8] = [], replacement: [UInt8] = []
            s.withUnsafeBytes { JSONWriter.escaped($0, into: &raw) }
            masked.withUnsafeBytes { JSONWriter.escaped($0, into: &replacement) }
            known = (raw, replacement)
        }
        return SplicedValue(json: json, known: known)
    }

    func storeSpliced(_ value: UnsafeRawBufferPointer, tag: UInt8, hash: UInt64, _ result: SplicedValue) {
        spliced.set(value, tag: tag, hash: hash, result)
    }

    /// The hex pseudonym of `value`, from the per-run cache when seen before
    /// (keyed by length too: two lengths of one value differ).
    private func hex(_ h: HMACPseudonym, _ value: ArraySlice<UInt8>) -> [UInt8] {
        var key = Array(value)
        key.append(UInt8(truncatingIfNeeded: h.length))
        if let hit = pseudonyms.get(key) { return hit }
        var out: [UInt8] = []
        value.withUnsafeBytes { h.pseudonym($0, into: &out, context: hmacContext) }
        pseudonyms.set(key, out)
        return out
    }

    /// The Crypto-PAn pseudonym of an address written as text; nil when it is not one.
    public func cryptoPAnText(_ text: String) -> String? {
        switch IPText.parse(text) {
        case .v4(let v)?: return IPText.format(.v4(cryptoPAn.anonymize(v4: v)))
        case .v6(let v)?: return IPText.format(.v6(cryptoPAn.anonymize(v6: v)))
        case nil: return nil
        }
    }

    // MARK: the JSON walk

    private struct Walker {
        let bytes: UnsafeRawBufferPointer
        let masker: EventMasker
        var i = 0
        /// The dotted path of the member being walked.
        var path: [UInt8] = []
        /// Values masked by field (JSON-escaped raw, masked), for `replaceKnown`.
        var known: [(raw: [UInt8], masked: [UInt8])] = []
        /// Where in the output the pattern-masked strings are (their contents, without quotes).
        var deferred: [Range<Int>] = []

        init(bytes: UnsafeRawBufferPointer, masker: EventMasker) {
            self.bytes = bytes
            self.masker = masker
        }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }

        mutating func atEnd() -> Bool { skipSpace(); return i == bytes.count }

        /// An object at `i`, written to `out` with the policy applied. `forced`:
        /// the action of an enclosing field, applied to every leaf inside.
        mutating func object(forced: MaskAction?, into out: inout [UInt8]) -> Bool {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return false }
            i += 1
            out.append(UInt8(ascii: "{"))
            var first = true
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; out.append(UInt8(ascii: "}")); return true }
            while true {
                skipSpace()
                let keyStart = i
                guard skipString() else { return false }
                let keyEnd = i
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
                i += 1
                let mark = path.count
                defer { path.removeLast(path.count - mark) }
                if mark > 0 { path.append(UInt8(ascii: ".")) }
                let rawKey = UnsafeRawBufferPointer(rebasing: bytes[(keyStart + 1)..<(keyEnd - 1)])
                if rawKey.contains(UInt8(ascii: "\\")) {
                    var at = keyStart
                    swap(&at, &i)
                    let decoded = string() ?? []
                    swap(&at, &i)
                    path.append(contentsOf: decoded)
                } else {
                    path.append(contentsOf: rawKey)
                }
                let action = forced ?? masker.action(bytes: path)
                if action == .drop {
                    guard skipValue() else { return false }
                } else {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[keyStart..<keyEnd]))
                    out.append(UInt8(ascii: ":"))
                    guard value(action: action, into: &out) else { return false }
                }
                skipSpace()
                guard i < bytes.count else { return false }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; out.append(UInt8(ascii: "}")); return true }
                return false
            }
        }

        mutating func value(action: MaskAction?, into out: inout [UInt8]) -> Bool {
            skipSpace()
            guard i < bytes.count else { return false }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                if action == nil && !masker.reaches(under: path) { return copyValue(into: &out) }
                return object(forced: action, into: &out)
            case UInt8(ascii: "["):
                i += 1
                out.append(UInt8(ascii: "["))
                var first = true
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; out.append(UInt8(ascii: "]")); return true }
                while true {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    // Array elements share the field's path (ECS arrays of values).
                    guard value(action: action == .drop ? .redact(MaskAction.redacted) : action, into: &out)
                    else { return false }
                    skipSpace()
                    guard i < bytes.count else { return false }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; out.append(UInt8(ascii: "]")); return true }
                    return false
                }
            case UInt8(ascii: "\""):
                guard let action else { return copyValue(into: &out) }
                guard let s = string() else { return false }
                let masked = masker.apply(action, to: s) ?? []
                let start = out.count + 1
                masked.withUnsafeBytes { JSONWriter.string($0, into: &out) }
                if action == .patterns {
                    deferred.append(start..<(out.count - 1))
                } else if s.count >= 4 && masked != s {
                    var raw: [UInt8] = [], replacement: [UInt8] = []
                    s.withUnsafeBytes { JSONWriter.escaped($0, into: &raw) }
                    masked.withUnsafeBytes { JSONWriter.escaped($0, into: &replacement) }
                    known.append((raw, replacement))
                }
                return true
            default:
                // A number, true, false or null.
                let start = i
                guard skipValue() else { return false }
                let text = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                guard let action, text != Array("null".utf8) else { out.append(contentsOf: text); return true }
                if case .truncate = action, let n = Int64(String(decoding: text, as: UTF8.self)) {
                    // Epoch milliseconds (or seconds) to the minute.
                    let unit: Int64 = n > 100_000_000_000 ? 60_000 : 60
                    out.append(contentsOf: Array(String(n - ((n % unit) + unit) % unit).utf8))
                    return true
                }
                if case .patterns = action { out.append(contentsOf: text); return true }
                (masker.apply(action, to: text) ?? []).withUnsafeBytes { JSONWriter.string($0, into: &out) }
                return true
            }
        }

        mutating func copyValue(into out: inout [UInt8]) -> Bool {
            let start = i
            guard skipValue() else { return false }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
            return true
        }

        /// Steps over a JSON string at `i` without decoding it.
        mutating func skipString() -> Bool {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return false }
            i += 1
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { i += 1; return true }
                i += b == UInt8(ascii: "\\") ? 2 : 1
            }
            return false
        }

        /// A JSON string at `i`, unescaped; `i` after its closing quote.
        mutating func string() -> [UInt8]? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { i += 1; return out }
                if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
                guard i + 1 < bytes.count else { return nil }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if scalar >= 0xD800 && scalar < 0xDC00, i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
                       bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        guard let low = hex4(), low >= 0xDC00 && low < 0xE000 else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = bytes[i + k]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            i += 4
            return v
        }

        /// Steps over one value of any kind.
        mutating func skipValue() -> Bool {
            skipSpace()
            guard i < bytes.count else { return false }
            switch bytes[i] {
            case UInt8(ascii: "\""): return skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < bytes.count {
                    let b = bytes[i]
                    if b == UInt8(ascii: "\"") { guard skipString() else { return false }; continue }
                    if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
                    if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 { i += 1; return true }
                    }
                    i += 1
                }
                return false
            default:
                let start = i
                while i < bytes.count, !(bytes[i] == UInt8(ascii: ",") || bytes[i] == UInt8(ascii: "}")
                                         || bytes[i] == UInt8(ascii: "]") || bytes[i] == 0x20 || bytes[i] == 0x0A
                                         || bytes[i] == 0x09 || bytes[i] == 0x0D) { i += 1 }
                return i > start
            }
        }
    }
}

extension EventMasker: TextReplacementValues {
    /// `email_` and the 16 hex characters `maskText` gives an address, from
    /// a cache of whole replacements (an address recurs).
    @inline(__always)
    func appendPseudonym<Output: MaskOutput>(email found: UnsafeRawBufferPointer, into out: inout Output) {
        let hash = ByteKeyCache<[UInt8]>.hash(found, tag: 0)
        if let hit = emailPseudonyms.get(found, tag: 0, hash: hash) {
            hit.withUnsafeBytes { out.write($0) }
            return
        }
        var replacement = Array("email_".utf8)
        // The pseudonym without a prefix (the MAC is the context's, under the policy key).
        HMACPseudonym(key: [], length: 16).pseudonym(found, into: &replacement, context: hmacContext)
        emailPseudonyms.set(found, tag: 0, hash: hash, replacement)
        replacement.withUnsafeBytes { out.write($0) }
    }

    /// An address's Crypto-PAn pseudonym appended: a canonical dotted quad
    /// from the table of IPv4 texts, as it was printed when entered; anything else
    /// the general way. False (nothing appended) when `found` is no address.
    @inline(__always)
    func appendPseudonym<Output: MaskOutput>(address found: UnsafeRawBufferPointer, into out: inout Output) -> Bool {
        if let key = IPv4TextTable.key(found) {
            if let hit = ipv4Values.find(key) ?? enter(found, key) {
                IPv4TextTable.appendDotted(hit, to: &out)
                return true
            }
        }
        guard var masked = cryptoPAnText(String(decoding: found, as: UTF8.self)) else { return false }
        masked.withUTF8 { out.write(UnsafeRawBufferPointer($0)) }
        return true
    }

    /// Enters an e-mail address's replacement (`email_` and its pseudonym,
    /// `appendPseudonym(email:)`) in the inline table under the free-text
    /// line's tag; false when either is too long for a slot.
    func enterEmail(_ found: UnsafeRawBufferPointer) -> Bool {
        guard found.count <= InlineValueTable.keyMax, let p = found.baseAddress else { return false }
        var replacement: [UInt8] = []
        appendPseudonym(email: found, into: &replacement)
        guard replacement.count <= InlineValueTable.jsonMax else { return false }
        let tag = UInt8(SECSTREAM_EMAIL_TAG)
        inlineValues.insert(found, tag: tag, hash: secstream_value_hash(p.assumingMemoryBound(to: UInt8.self), found.count, tag),
                            json: replacement, recordsPair: false)
        return true
    }

    /// Enters a canonical dotted quad's pseudonym in the IPv4 text table;
    /// false for any other text (which the table never holds).
    func enterAddress(_ found: UnsafeRawBufferPointer) -> Bool {
        guard let key = IPv4TextTable.key(found) else { return false }
        return enter(found, key) != nil
    }

    /// The pseudonym of `found` (key `key`), entered; nil when it is not a canonical dotted quad.
    private func enter(_ found: UnsafeRawBufferPointer, _ key: IPv4TextTable.Key) -> IPv4TextTable.Masked? {
        guard let address = IPv4Table.parse(found) else { return nil }
        let masked = cryptoPAnV4(address)
        return ipv4Values.insert(key, masked, changed: masked != address)
    }
}
