import CJSONScan
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
/// the key its cache is looked up by (computed once: planning prefetches it).
struct ScannedValue {
    var start: Int32
    var end: Int32
    var action: Int32
    var key: ValueKey
}

/// A masked value's cache key: for Crypto-PAn a text that may be an IPv4
/// address (`IPv4TextTable`), otherwise the value's hash with its action
/// (`InlineValueTable`).
enum ValueKey {
    case ipv4(IPv4TextTable.Key)
    case hashed(UInt64)
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
        guard shape.isEmpty, let tables, line.baseAddress != nil, line.count > 0, fields.count == tables.pathCount else {
            return .walk
        }
        let half = nextPlanHalf
        nextPlanHalf = half == 0 ? tables.pathCount : 0
        let found = scannedValues + half
        var count = 0
        var freeText = false
        for k in 0..<fields.count {
            let slot = slots[Int(fields[k])]
            let action = tables.pathActions[k]
            switch slot.kind {
            case .missing:
                continue
            case .string:
                guard !tables.isDrop[Int(action)] else { return .walk }
                let content = UnsafeRawBufferPointer(rebasing: line[Int(slot.start)..<Int(slot.end)])
                let key: ValueKey
                if tables.isPatterns[Int(action)] {
                    freeText = true
                    key = .hashed(0)
                } else {
                    key = valueKey(content, action, tables)
                    prefetch(key)
                }
                // Insertion in line order (a handful of values).
                var at = count
                while at > 0 && found[at &- 1].start > slot.start {
                    found[at] = found[at &- 1]
                    at &-= 1
                }
                found[at] = ScannedValue(start: slot.start, end: slot.end, action: action, key: key)
                count &+= 1
            case .null:
                guard !tables.isDrop[Int(action)] else { return .walk }
            case .number, .trueValue, .falseValue:
                // Free-text patterns leave a scalar as it is; other actions are the walker's.
                guard tables.isPatterns[Int(action)] else { return .walk }
            case .escapedString, .object, .array:
                return .walk
            }
        }
        return ScannedPlan(count: count, freeText: freeText, values: half)
    }

    /// The second half of `maskScanned`: the line masked as `plan` (this
    /// masker's latest) says.
    public func maskScanned(_ line: UnsafeRawBufferPointer, _ plan: ScannedPlan, into out: inout MaskedBytes) {
        guard plan.count >= 0, let tables, let base = line.baseAddress else {
            maskLine(line, into: &out)
            return
        }
        linesSplicedFromSlots &+= 1
        let found = scannedValues + plan.values
        if plan.freeText, let trie {
            // Free text in the line: the masked values that recur in it are
            // replaced there too, so the walk's lists record them.
            // Into the masker's kept buffer (its capacity stays: a fresh
            // array per line grew and was freed every time).
            var text: [UInt8] = []
            swap(&text, &freeTextLine)
            text.removeAll(keepingCapacity: true)
            defer {
                text.withUnsafeBytes { out.write($0) }
                swap(&text, &freeTextLine)
            }
            splice(line, base, trie, into: &text) { walk in
                for k in 0..<plan.count {
                    let value = found[k]
                    walk.flush(to: Int(value.start) &- 1)  // up to the opening quote
                    walk.copied = Int(value.end) &+ 1       // past the closing one
                    walk.splice(UnsafeRawBufferPointer(start: base + Int(value.start), count: Int(value.end &- value.start)),
                                at: Int(value.start), value.action)
                }
                walk.flush(to: line.count)
                return true
            }
            return
        }
        // The common case: the line in runs, each masked value in between.
        var copied = 0
        for k in 0..<plan.count {
            let value = found[k]
            out.write(UnsafeRawBufferPointer(start: base + copied, count: Int(value.start) &- 1 &- copied))
            _ = appendMasked(UnsafeRawBufferPointer(start: base + Int(value.start), count: Int(value.end &- value.start)),
                             value.action, tables, key: value.key, into: &out)
            copied = Int(value.end) &+ 1
        }
        out.write(UnsafeRawBufferPointer(start: base + copied, count: line.count &- copied))
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

    @inline(__always)
    private func prefetch(_ key: ValueKey) {
        switch key {
        case .ipv4(let key): secstream_prefetch(ipv4Values.slotAddress(key))
        case .hashed(let hash): secstream_prefetch(inlineValues.setAddress(hash))
        }
    }

    /// The hash of a value and its action: where its masked form is cached inline.
    @inline(__always)
    func valueHash(_ content: UnsafeRawBufferPointer, _ act: Int32) -> UInt64 {
        ByteKeyCache<SplicedValue>.hash(content, tag: UInt8(truncatingIfNeeded: act))
    }
}
