/// A rule's `logsource` (product, category, service), as pipelines see it.
public struct RuleLogsource: Sendable, Hashable, CustomStringConvertible {
    public var product: String?
    public var category: String?
    public var service: String?

    public init(product: String? = nil, category: String? = nil, service: String? = nil) {
        self.product = product; self.category = category; self.service = service
    }

    /// No attribute given: the rule names no log source, so it asks for every event.
    public var isEmpty: Bool { product == nil && category == nil && service == nil }

    /// pySigma's logsource condition: every attribute the condition gives equals the rule's.
    func satisfies(product p: String?, category c: String?, service s: String?) -> Bool {
        func same(_ wanted: String?, _ have: String?) -> Bool {
            guard let wanted else { return true }
            guard let have else { return false }
            // Every rule meets every pipeline item's condition at load: ASCII text (all
            // real logsources) is compared in place instead of lower-casing two copies.
            if let equal = RuleLogsource.asciiEqualIgnoringCase(have, wanted) { return equal }
            return have.lowercased() == wanted.lowercased()
        }
        return same(p, product) && same(c, category) && same(s, service)
    }

    /// Case-insensitive equality when both are ASCII (what `lowercased()` gives
    /// them); nil otherwise (Unicode case mapping decides, e.g. the Kelvin sign is `k`).
    private static func asciiEqualIgnoringCase(_ a: String, _ b: String) -> Bool? {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.allSatisfy({ $0 < 0x80 }), y.allSatisfy({ $0 < 0x80 }) else { return nil }
                guard x.count == y.count else { return false }
                for i in 0..<x.count where StringPattern.lower(x[i]) != StringPattern.lower(y[i]) { return false }
                return true
            }
        }
    }

    /// `product/category/service`, with `-` for an absent part (summary lines).
    public var description: String {
        [product, category, service].map { $0 ?? "-" }.joined(separator: "/")
    }
}

/// A rule whose logsource no loaded pipeline recognises in events: it is
/// skipped (never run against every event) and counted in one summary line.
public struct RuleLogsourceNotRecognised: Error, CustomStringConvertible {
    public let location: RuleLocation
    public let logsource: RuleLogsource
    public var description: String { "\(location): no loaded pipeline recognises logsource \(logsource)" }
}
