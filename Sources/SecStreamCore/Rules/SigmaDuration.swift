/// Sigma durations (`timespan`, session `gap`): a positive integer and one
/// lower-case unit letter, `30s`, `5m`, `1h`, `1d` (Sigma correlation spec).
enum SigmaDuration {
    /// Milliseconds, or nil when `text` is not a Sigma duration.
    static func milliseconds(_ text: String) -> Int64? {
        guard let unit = text.last, text.count >= 2 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let amount = Int64(digits), amount > 0 else { return nil }
        let unitMs: Int64
        switch unit {
        case "s": unitMs = 1_000
        case "m": unitMs = 60_000
        case "h": unitMs = 3_600_000
        case "d": unitMs = 86_400_000
        default: return nil
        }
        let (ms, overflow) = amount.multipliedReportingOverflow(by: unitMs)
        return overflow ? nil : ms
    }
}
