import SecStreamCore

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
        guard shape.isEmpty, let trie, let base = line.baseAddress, line.count > 0, fields.count == trie.paths.count else {
            maskLine(line, into: &out)
            return
        }
        withUnsafeTemporaryAllocation(of: ScannedValue.self, capacity: max(1, fields.count)) { found in
            guard let (count, freeText) = Self.collect(slots, fields, trie, into: found) else {
                maskLine(line, into: &out)
                return
            }
            linesSplicedFromSlots &+= 1
            if freeText {
                // Free text in the line: the masked values that recur in it are
                // replaced there too, so the walk's lists record them.
                var text: [UInt8] = []
                defer { text.withUnsafeBytes { out.write($0) } }
                splice(line, base, trie, into: &text) { walk in
                    for k in 0..<count {
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
            for k in 0..<count {
                let value = found[k]
                out.write(UnsafeRawBufferPointer(start: base + copied, count: Int(value.start) &- 1 &- copied))
                _ = appendMasked(UnsafeRawBufferPointer(start: base + Int(value.start), count: Int(value.end &- value.start)),
                                 value.action, trie, into: &out)
                copied = Int(value.end) &+ 1
            }
            out.write(UnsafeRawBufferPointer(start: base + copied, count: line.count &- copied))
        }
    }

    /// `maskLine` into masked lines' bytes.
    public func maskLine(_ line: UnsafeRawBufferPointer, into out: inout MaskedBytes) {
        out.write(maskLine(line))
    }

    /// One string value to mask: its range in the line and its action's index.
    struct ScannedValue {
        var start: Int32
        var end: Int32
        var action: Int32
    }

    /// The string values to mask, in line order, and whether one of them is
    /// free text (`patterns`); nil when a value needs the walk (an escaped
    /// string, an object or array, a scalar the action changes, anything under `drop`).
    @inline(__always)
    private static func collect(_ slots: UnsafeBufferPointer<FieldSlot>, _ fields: UnsafeBufferPointer<Int32>, _ trie: PolicyTrie,
                                into found: UnsafeMutableBufferPointer<ScannedValue>) -> (Int, Bool)? {
        var count = 0
        var freeText = false
        for k in 0..<fields.count {
            let slot = slots[Int(fields[k])]
            let action = trie.pathActions[k]
            switch slot.kind {
            case .missing:
                continue
            case .string:
                guard !trie.isDrop[Int(action)] else { return nil }
                freeText = freeText || trie.isPatterns[Int(action)]
                // Insertion in line order (a handful of values).
                var at = count
                while at > 0 && found[at &- 1].start > slot.start {
                    found[at] = found[at &- 1]
                    at &-= 1
                }
                found[at] = ScannedValue(start: slot.start, end: slot.end, action: action)
                count &+= 1
            case .null:
                guard !trie.isDrop[Int(action)] else { return nil }
            case .number, .trueValue, .falseValue:
                // Free-text patterns leave a scalar as it is; other actions are the walker's.
                guard trie.isPatterns[Int(action)] else { return nil }
            case .escapedString, .object, .array:
                return nil
            }
        }
        return (count, freeText)
    }
}
