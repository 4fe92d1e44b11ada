/// The byte encoding of a group key: for each `group-by` value in order, a
/// 4-byte little-endian length and the (unescaped) value bytes. Length prefixes
/// keep `("a","bc")` and `("ab","c")` apart; the encoding is what the engine
/// interns, orders timers by, and hashes into `alert_id`.
enum GroupKey {
    @inline(__always)
    static func appendSegmentLength(_ n: Int, to out: inout [UInt8]) {
        let v = UInt32(n)
        out.append(UInt8(truncatingIfNeeded: v)); out.append(UInt8(truncatingIfNeeded: v >> 8))
        out.append(UInt8(truncatingIfNeeded: v >> 16)); out.append(UInt8(truncatingIfNeeded: v >> 24))
    }

    /// Appends one segment whose bytes are `value` as they are: the length
    /// and the bytes, two appends (not four byte appends and a patch).
    @inline(__always)
    static func appendSegment(_ value: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var length = UInt32(value.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(contentsOf: value)
    }

    /// Overwrites the length placeholder at `at` once the segment is written.
    @inline(__always)
    static func patchSegmentLength(_ n: Int, at: Int, in out: inout [UInt8]) {
        let v = UInt32(n)
        out[at] = UInt8(truncatingIfNeeded: v); out[at + 1] = UInt8(truncatingIfNeeded: v >> 8)
        out[at + 2] = UInt8(truncatingIfNeeded: v >> 16); out[at + 3] = UInt8(truncatingIfNeeded: v >> 24)
    }

    /// The value segments of an encoded key; nil if the bytes are not a valid encoding.
    static func segments(_ key: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer]? {
        var out: [UnsafeRawBufferPointer] = []
        var i = 0
        while i < key.count {
            guard i + 4 <= key.count else { return nil }
            let n = Int(key[i]) | Int(key[i + 1]) << 8 | Int(key[i + 2]) << 16 | Int(key[i + 3]) << 24
            i += 4
            guard i + n <= key.count else { return nil }
            out.append(UnsafeRawBufferPointer(rebasing: key[i..<(i + n)]))
            i += n
        }
        return out
    }

    /// Builds the key of a chained correlation from its source's key: segment
    /// `k` of the result is segment `indexes[k]` of `source`. False when an index
    /// is out of range (the firing then does not feed that correlation).
    static func remap(_ source: UnsafeRawBufferPointer, indexes: [Int], into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        guard let segs = segments(source) else { return false }
        for k in indexes {
            guard k >= 0 && k < segs.count else { return false }
            appendSegmentLength(segs[k].count, to: &out)
            out.append(contentsOf: segs[k])
        }
        return true
    }

    /// The values as strings, for an alert's `group` object.
    static func strings(_ key: UnsafeRawBufferPointer) -> [String] {
        (segments(key) ?? []).map { String(decoding: $0, as: UTF8.self) }
    }
}
