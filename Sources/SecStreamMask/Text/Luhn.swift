/// The Luhn check digit test of payment card numbers: a run of 13-19 digits
/// that fails it is an order number or a timestamp, not a card, and stays.
enum Luhn {
    /// `digits`: the card number's digits (separators already removed).
    static func isValid(_ digits: [UInt8]) -> Bool {
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            var v = Int(d)
            if i % 2 == 1 { v *= 2; if v > 9 { v -= 9 } }
            sum += v
        }
        return sum % 10 == 0
    }
}
