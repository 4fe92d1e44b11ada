import CJSONScan
import CMaskSplice
import SecStreamCore

/// What `EventMasker.planScanned` found in a scanned line: the number of
/// values to splice (held by the masker until its next plan) and whether one
/// of them is free text; `walk` when the line needs `maskLine`.
public struct ScannedPlan {
    let count: Int
    let freeText: Bool
    /// Where its values start in the masker's `scannedValues` (plans alternate
    /// between two halves, so a line can be planned before the previous one is masked).
    let values: Int

    /// The line goes through `maskLine`.
    public static let walk = ScannedPlan(count: -1, freeText: false, values: 0)
}

/// One string value to mask: its range in the line, its action's index, and
/// the key its cache is looked up by (computed once, by the plan in C, which
/// prefetches it).
typealias ScannedValue = secstream_mask_value_t

/// A masked value's cache key: for Crypto-PAn a text that may be an IPv4
/// address (`IPv4TextTable`), otherwise the value's hash with its action
/// (`InlineValueTable`).
enum ValueKey {
    case ipv4(IPv4TextTable.Key)
    case hashed(UInt64)

    init(_ value: ScannedValue) {
        self = value.ipv4 != 0 ? .ipv4(value.key) : .hashed(value.key.hash)
    }
}

extension EventMasker {
    /// The field paths a scanner should find for `maskScanned`: the policy's
    /// exact names (nil when the policy has wildcards or names the splicing
    /// walk does not handle: then every line is walked).
    public var scannedPaths: [String]? { trie?.paths }

    /// `maskLine` for a line a field scanner has just scanned (`.ok`) with
    /// `scannedPaths` in its schema: `fields[k]` is the slot of `scannedPaths[k]`.
    /// Where the scan says the slots tell every occurrence of the policy's
    /// fields (`shape` empty) and each holds a plain string, null or a scalar
    /// the action leaves alone, the masked values are spliced into those
    /// ranges and the rest of the line is copied as it is: no second walk over
    /// the line. Anything else is masked by `maskLine`. The bytes are the
    /// same either way (tests hold both to the walker's).
    public func maskScanned(_ line: UnsafeRawBufferPointer, slots: UnsafeBufferPointer<FieldSlot>,
                            fields: UnsafeBufferPointer<Int32>, shape: LineShape, into out: inout MaskedBytes) {
        maskScanned(line, planScanned(line, slots: slots, fields: fields, shape: shape), into: &out)
    }

    /// The first half of `maskScanned`, right after the scan: finds the
    /// values to splice and asks for their cache slots, so the cache misses
    /// of a new value's slot overlap whatever the caller does before
    /// `maskScanned(_:_:into:)` (detection, the next line). The slots may change
    /// after this. Two plans may be outstanding: the older one must be masked
    /// before the next plan is made.
    public func planScanned(_ line: UnsafeRawBufferPointer, slots: UnsafeBufferPointer<FieldSlot>,
                            fields: UnsafeBufferPointer<Int32>, shape: LineShape) -> ScannedPlan {
        guard shape.isEmpty, tables != nil, let base = line.baseAddress, fields.count == Int(spliceTables.pointee.path_count),
              let slotBase = slots.baseAddress, let fieldBase = fields.baseAddress else {
            return .walk
        }
        let half = nextPlanHalf
        nextPlanHalf = half == 0 ? fields.count : 0
        let planned = secstream_mask_plan(spliceTables, base.assumingMemoryBound(to: UInt8.self),
                                          UnsafeRawPointer(slotBase).assumingMemoryBound(to: secstream_field_slot_t.self),
                                          fieldBase, scannedValues + half)
        return planned.count < 0 ? .walk : ScannedPlan(count: Int(planned.count), freeText: planned.free_text != 0, values: half)
    }

    /// The second half of `maskScanned`: the line masked as `plan` (this
    /// masker's latest) says.
    public func maskScanned(_ line: UnsafeRawBufferPointer, _ plan: ScannedPlan, into out: inout MaskedBytes) {
        // (`tables` is not copied out on the common path: six words a line.)
        guard plan.count >= 0, let base = line.baseAddress, tables != nil else {
            maskLine(line, into: &out)
            return
        }
        linesSplicedFromSlots &+= 1
        let found = scannedValues + plan.values
        if plan.freeText {
            maskScannedFreeText(line, base, found, plan.count, tables.unsafelyUnwrapped, into: &out)
            return
        }
        // The common case: the splice in C writes the line in runs, each
        // value's cached replacement in between; a value it does not find
        // (a new one) is masked here, and the splice goes on after it.
        var from: Int32 = 0
        while true {
            let missed = secstream_mask_splice(spliceTables, base.assumingMemoryBound(to: UInt8.self), line.count, found,
                                               from, Int32(truncatingIfNeeded: plan.count), &out.c)
            guard missed >= 0 else { return }
            let value = found[Int(missed)]
            _ = appendMasked(UnsafeRawBufferPointer(start: base + Int(value.start), count: Int(value.end &- value.start)),
                             value.action, tables.unsafelyUnwrapped, key: ValueKey(value), into: &out)
            from = missed &+ 1
        }
    }

    /// `maskScanned` for a line with free text. A masked value that recurs in
    /// the free text is replaced there too (`replaceKnown`), so the other
    /// values are masked first, into `freeTextValues`, recording the walker's
    /// pairs in line order; then the line is written in runs, each value
    /// from there, each free text through the patterns and the pairs. The
    /// walker's bytes without a splicing walk over the line and without the
    /// masked line's copy `splice` makes for its replacements.
    private func maskScannedFreeText(_ line: UnsafeRawBufferPointer, _ base: UnsafeRawPointer,
                                     _ found: UnsafeMutablePointer<ScannedValue>, _ count: Int, _ tables: SpliceTables,
                                     into out: inout MaskedBytes) {
        // The usual line (each free text one escaping leaves as it is and in
        // which only `email` and `ipv4` of the policy's kinds can match) in
        // C; a new value, address or e-mail address is entered here and the
        // line tried again; anything else (or a line whose values keep
        // pushing each other out of the tables) the Swift way below.
        if let kinds = freeTextKindsInC {
            let bytes = base.assumingMemoryBound(to: UInt8.self)
            for _ in 0..<8 {
                let result = secstream_mask_free_text_line(spliceTables, kinds, bytes, line.count, found, Int32(truncatingIfNeeded: count),
                                                           freeTextPairs, freeTextOffsets, freeTextBytes, freeTextBytes + 1,
                                                           freeTextBytes + 2, &out.c)
                let status = Int(result.status)
                if status == SECSTREAM_FREE_TEXT_WRITTEN {
                    freeTextLinesInC &+= 1
                    return
                }
                let text = UnsafeRawBufferPointer(start: result.found, count: Int(result.found_count))
                if status == SECSTREAM_FREE_TEXT_NEW_ADDRESS, enterAddress(text) { continue }
                if status == SECSTREAM_FREE_TEXT_NEW_EMAIL, enterEmail(text) { continue }
                if status == SECSTREAM_FREE_TEXT_NEW_VALUE, enterValue(line, found + Int(result.value), tables) { continue }
                break
            }
        }
        var buffers = FreeTextBuffers()
        swap(&buffers, &freeTextBuffers)
        defer {
            buffers.values.removeAll()
            if !buffers.owned.isEmpty { buffers.owned.removeAll(keepingCapacity: true) }
            swap(&buffers, &freeTextBuffers)
        }
        let spans = freeTextSpans
        let known = freeTextKnown
        var knownCount = 0
        for k in 0..<count {
            let value = found[k]
            guard !tables.isPatterns[Int(value.action)] else { continue }
            let start = buffers.values.count
            let content = UnsafeRawBufferPointer(start: base + Int(value.start), count: Int(value.end &- value.start))
            switch appendMasked(content, value.action, tables, key: ValueKey(value), into: &buffers.values) {
            case .none:
                break
            case .inline(let maskedStart, let maskedCount):
                known[knownCount] = KnownRef(rawStart: Int(value.start), rawCount: content.count,
                                             maskedStart: maskedStart, maskedCount: maskedCount, owned: -1)
                knownCount &+= 1
            case .owned(let raw, let masked):
                known[knownCount] = KnownRef(rawStart: 0, rawCount: 0, maskedStart: 0, maskedCount: 0, owned: buffers.owned.count)
                knownCount &+= 1
                buffers.owned.append((raw, masked))
            }
            spans[k] = start..<buffers.values.count
        }
        let owned = buffers.owned.isEmpty ? KnownPairBytes() : KnownPairBytes(buffers.owned)
        let masked = buffers.values.bytes
        var copied = 0
        for k in 0..<count {
            let value = found[k]
            out.write(UnsafeRawBufferPointer(start: base + copied, count: Int(value.start) &- 1 &- copied))
            copied = Int(value.end) &+ 1
            guard tables.isPatterns[Int(value.action)] else {
                out.write(UnsafeRawBufferPointer(rebasing: masked[spans[k]]))
                continue
            }
            let content = UnsafeRawBufferPointer(start: base + Int(value.start), count: Int(value.end &- value.start))
            // Through all the rules (the usual text was the C line's), escaped into `escaped`.
            let clues = TextClues(content)
            var escaped: [UInt8] = []
            swap(&escaped, &buffers.escaped)
            escaped.removeAll(keepingCapacity: true)
            if policy.patterns.mayChange(clues) {
                appendMaskedText(content, clues: clues, into: &escaped)
            } else {
                JSONWriter.escaped(content, into: &escaped)
            }
            // Then the masked values that recur in it, written straight into the line.
            out.write(byte: UInt8(ascii: "\""))
            escaped.withUnsafeBytes { e in
                owned.bytes.withUnsafeBytes { o in
                    let pairs = KnownPairs(refs: known, count: knownCount, line: line, masked: masked, maskedOffset: 0,
                                           owned: owned, ownedBytes: o)
                    Self.replaceKnown(in: e, count: pairs.count, raw: pairs.raw, masked: pairs.masked,
                                      buffers: &buffers.pairs, into: &out)
                }
            }
            out.write(byte: UInt8(ascii: "\""))
            swap(&escaped, &buffers.escaped)
        }
        out.write(UnsafeRawBufferPointer(start: base + copied, count: line.count &- copied))
    }

    /// Masks a value the tables do not hold yet (a new one), which caches
    /// it, for the free-text line's C path to find when it tries the line
    /// again; false when the tables still do not hold it (a replacement too
    /// long for a slot, a value that is not a canonical address under
    /// Crypto-PAn): that line goes the Swift way.
    private func enterValue(_ line: UnsafeRawBufferPointer, _ value: UnsafeMutablePointer<ScannedValue>, _ tables: SpliceTables) -> Bool {
        let base = line.baseAddress.unsafelyUnwrapped
        let content = UnsafeRawBufferPointer(start: base + Int(value.pointee.start), count: Int(value.pointee.end &- value.pointee.start))
        _ = appendMasked(content, value.pointee.action, tables, key: ValueKey(value.pointee), into: &freeTextBuffers.values)
        freeTextBuffers.values.removeAll()
        // Whether the C path finds it now (the lookup writes the replacement: 32 bytes of room).
        var pair: Int32 = 0
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) {
            secstream_mask_cached(spliceTables, base.assumingMemoryBound(to: UInt8.self), value, $0.baseAddress!, &pair) >= 0
        }
    }

    /// `maskLine` into masked lines' bytes.
    public func maskLine(_ line: UnsafeRawBufferPointer, into out: inout MaskedBytes) {
        out.write(maskLine(line))
    }

    /// Where a value's masked form is cached: for an IPv4 address under
    /// Crypto-PAn the address, otherwise the hash of the value and its action.
    @inline(__always)
    func valueKey(_ content: UnsafeRawBufferPointer, _ act: Int32, _ tables: SpliceTables) -> ValueKey {
        if tables.isCryptoPAn[Int(act)], let key = IPv4TextTable.key(content) { return .ipv4(key) }
        return .hashed(valueHash(content, act))
    }

    /// The hash of a value and its action: where its masked form is cached inline.
    @inline(__always)
    func valueHash(_ content: UnsafeRawBufferPointer, _ act: Int32) -> UInt64 {
        ByteKeyCache<SplicedValue>.hash(content, tag: UInt8(truncatingIfNeeded: act))
    }
}

/// `maskScanned`'s kept buffers for a line with free text the Swift way:
/// the other values' masked bytes, the pairs held as arrays for
/// `replaceKnown`, a free text escaped through all the rules, and the
/// pairs' buffers.
struct FreeTextBuffers {
    var values = MaskedBytes()
    var owned: [(raw: [UInt8], masked: [UInt8])] = []
    var escaped: [UInt8] = []
    var pairs = (MaskedBytes(), MaskedBytes())

    func deallocate() {
        var all = [values, pairs.0, pairs.1]
        for k in all.indices { all[k].deallocate() }
    }
}

extension EventMasker {
    /// Replaces in `text` every occurrence of pair k's raw bytes with its
    /// masked bytes, for each pair in turn (on what the pairs before left),
    /// the result written to `out`: a pair found moves the text into one of
    /// `buffers` (they take turns), and a text no pair occurs in is written as it is.
    @inline(__always)
    static func replaceKnown<Output: MaskOutput>(in text: UnsafeRawBufferPointer, count: Int, raw: (Int) -> UnsafeRawBufferPointer,
                                                 masked: (Int) -> UnsafeRawBufferPointer, buffers: inout (MaskedBytes, MaskedBytes),
                                                 into out: inout Output) {
        var current = text
        var inFirst = false  // whether `current` is buffers.0's (else the text or buffers.1's)
        for k in 0..<count {
            let r = raw(k)
            guard current.count >= r.count, !r.isEmpty else { continue }
            let tp = current.baseAddress!, rp = r.baseAddress!
            var from = 0
            var target = MaskedBytes()
            // glibc's memmem (a pair-of-bytes hash for short needles): a
            // memchr for the first byte and a compare at each of its hits
            // cost several calls a pair, an address's first digit being common.
            while let hit = secstream_find_bytes(tp + from, current.count &- from, rp, r.count) {
                let at = UnsafeRawPointer(hit) - tp
                if from == 0 {
                    // The first hit: the other buffer takes the text.
                    if inFirst { swap(&target, &buffers.1) } else { swap(&target, &buffers.0) }
                    target.removeAll()
                }
                target.write(UnsafeRawBufferPointer(start: tp + from, count: at &- from))
                target.write(masked(k))
                from = at &+ r.count
            }
            guard from > 0 else { continue }
            target.write(UnsafeRawBufferPointer(start: tp + from, count: current.count &- from))
            current = target.bytes
            if inFirst { swap(&target, &buffers.1) } else { swap(&target, &buffers.0) }
            inFirst.toggle()
        }
        out.write(current)
    }
}
