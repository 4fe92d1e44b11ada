import Foundation

/// Turning an extracted JSON value (a `FieldSlot` range) into the bytes or the
/// number the engine keys and aggregates on, without building a `String`.
enum JSONValueBytes {
    /// Appends the value's bytes: strings unescaped (so `"a\u0062"` and `"ab"`
    /// are the same group), anything else as written.
    static func append(_ raw: UnsafeRawBufferPointer, kind: ValueKind, to out: inout [UInt8]) {
        if kind == .escapedString { appendUnescaped(raw, to: &out) } else { out.append(contentsOf: raw) }
    }

    /// JSON string unescaping (RFC 8259 §7), `\uXXXX` and surrogate pairs to
    /// UTF-8, appended to `out`. An escape never grows, so `raw.count` bytes suffice.
    static func appendUnescaped(_ s: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: s.count))
        let n = out.withUnsafeMutableBytes {
            JSONStringUnescaper.unescape(s, into: UnsafeMutableRawBufferPointer(rebasing: $0[start...]))
        }
        out.removeLast(s.count - n)
    }

    /// The value as a number: a JSON number, or a string holding one (logs often
    /// quote byte counts). Plain integers are parsed inline; anything else goes
    /// through `strtod` on a stack copy. Returns nil when it is not a number.
    static func number(_ raw: UnsafeRawBufferPointer, kind: ValueKind) -> Double? {
        guard kind == .number || kind == .string, raw.count > 0, raw.count < 64 else { return nil }
        var i = 0
        var negative = false
        if raw[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        if i < raw.count && raw.count - i <= 15 {
            var v: Int64 = 0
            var j = i
            while j < raw.count, raw[j] >= UInt8(ascii: "0"), raw[j] <= UInt8(ascii: "9") {
                v = v * 10 + Int64(raw[j] - UInt8(ascii: "0"))
                j += 1
            }
            if j == raw.count && j > i { return Double(negative ? -v : v) }
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf -> Double? in
            for k in 0..<raw.count { buf[k] = CChar(bitPattern: raw[k]) }
            buf[raw.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(buf.baseAddress!, &end)
            guard let end, end - buf.baseAddress! == raw.count, v.isFinite else { return nil }
            return v
        }
    }
}
