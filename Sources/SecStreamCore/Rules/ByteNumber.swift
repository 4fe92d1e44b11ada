/// Parses a JSON number (or a numeric string's content) straight from bytes,
/// so numeric modifiers need no `String` per event.
enum ByteNumber {
    /// The value of `bytes` when the whole slice is a decimal number
    /// (`-12`, `3.5`, `1e3`), else nil. Integers up to 2^53 are exact.
    @inline(__always)
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let n = bytes.count
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: Double = 0
        var digits = 0
        while i < n, bytes[i] &- 48 < 10 {
            mantissa = mantissa * 10 + Double(bytes[i] &- 48)
            i += 1; digits += 1
        }
        var scale = 0
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, bytes[i] &- 48 < 10 {
                mantissa = mantissa * 10 + Double(bytes[i] &- 48)
                scale -= 1
                i += 1; digits += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < n, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var exp = 0
            var expDigits = 0
            while i < n, bytes[i] &- 48 < 10 {
                if exp < 100_000 { exp = exp * 10 + Int(bytes[i] &- 48) }
                i += 1; expDigits += 1
            }
            guard expDigits > 0 else { return nil }
            scale += expNegative ? -exp : exp
        }
        guard i == n else { return nil }
        var value = mantissa
        if scale != 0 { value = scale > 0 ? value * power10(scale) : value / power10(-scale) }
        return negative ? -value : value
    }

    @inline(__always)
    private static func power10(_ e: Int) -> Double {
        var result: Double = 1
        var base: Double = 10
        var k = min(e, 400)
        while k > 0 {
            if k & 1 == 1 { result *= base }
            base *= base
            k >>= 1
        }
        return result
    }
}
