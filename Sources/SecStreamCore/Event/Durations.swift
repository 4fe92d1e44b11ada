/// Durations as written in rules and flags: an integer and a unit,
/// `500ms`, `30s`, `5m`, `1h`, `2d`, `1w`; or a bare `0`.
public enum Durations {
    public static func parseMs(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
                                        ("d", 86_400_000), ("w", 604_800_000)]
        let t = text.trimmedOf(" \t")
        // Zero is zero in every unit, so a bare `0` (`--lateness 0`) needs none.
        if t == "0" { return 0 }
        // "ms" is tried before "m" and "s" so that it is not read as minutes.
        for (suffix, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let v = Int64(number) else { return nil }
            let (ms, overflow) = v.multipliedReportingOverflow(by: scale)
            return overflow ? nil : ms
        }
        return nil
    }

    /// The shortest exact spelling: 300000 -> "5m", 1500 -> "1500ms".
    public static func format(_ ms: Int64) -> String {
        for (suffix, scale) in [("w", Int64(604_800_000)), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
            where ms != 0 && ms % scale == 0 {
            return "\(ms / scale)\(suffix)"
        }
        return "\(ms)ms"
    }
}

private extension String {
    func trimmedOf(_ set: String) -> Substring {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }
}
