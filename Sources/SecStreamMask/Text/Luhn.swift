/// The Luhn check digit test of payment card numbers: a run of 13-19 digits
/// that fails it is an order number or a timestamp, not a card, and stays.
enum Luhn {
    /// The test on the digits of `text` (a card number as found: the
    /// separators are skipped).
    static func isValid(text: UnsafeRawBufferPointer) -> Bool {
        var count = 0
        for b in text where b &- 0x30 < 10 { count &+= 1 }
        guard (13...19).contains(count) else { return false }
        var sum = 0
        var i = 0
        for b in text.reversed() where b &- 0x30 < 10 {
            var v = Int(b &- 0x30)
            if i % 2 == 1 { v *= 2; if v > 9 { v -= 9 } }
            sum += v
            i += 1
        }
        return sum % 10 == 0
    }
}
