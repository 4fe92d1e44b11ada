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
            return have?.lowercased() == wanted.lowercased()
        }
        return same(p, product) && same(c, category) && same(s, service)
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
