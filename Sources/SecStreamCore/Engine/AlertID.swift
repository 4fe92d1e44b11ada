/// A 128-bit deterministic alert id (see `StableHash128`), written as 32 hex digits.
public struct AlertID: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    /// Hash of the rule id, the encoded group key, the window start and, for a
    /// detection rule's own alerts, the event's hash (two events of one rule in
    /// one millisecond are two alerts).
    static func make(ruleID: String, groupKey: UnsafeRawBufferPointer, windowStart: Int64, eventHash: UInt64?) -> AlertID {
        var h = StableHash128()
        h.add(string: ruleID)
        h.add(field: groupKey)
        h.add(int: windowStart)
        if let e = eventHash { h.add(int: Int64(bitPattern: e)) }
        let (a, b) = h.finish()
        return AlertID(high: a, low: b)
    }

    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 32)
        for (w, word) in [high, low].enumerated() {
            for k in 0..<16 { out[w * 16 + k] = digits[Int(word >> UInt64(60 - 4 * k) & 0xF)] }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
