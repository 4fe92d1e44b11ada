/// A series' label pairs, in the order they were declared. Kept as an array,
/// not a dictionary, so the exposition order is stable and a series is
/// identified by its values alone (the names belong to the family).
public struct Labels: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    public var pairs: [(name: String, value: String)]

    public init(_ pairs: [(String, String)] = []) { self.pairs = pairs.map { (name: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    public static func == (a: Labels, b: Labels) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for p in pairs { hasher.combine(p.name); hasher.combine(p.value) }
    }

    /// The same labels plus one more (the histogram's `le`).
    func appending(_ name: String, _ value: String) -> Labels {
        var copy = self
        copy.pairs.append((name: name, value: value))
        return copy
    }

    /// `{a="x",b="y"}`, or nothing without labels. Values escape backslash,
    /// double quote and newline, the three characters both text formats escape.
    var rendered: String {
        guard !pairs.isEmpty else { return "" }
        return "{" + pairs.map { "\($0.name)=\"\(Labels.escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 4)
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
