/// Where a needle must occur: in one event field's unescaped value (each
/// element of an array on its own), or anywhere in the raw line (keywords).
enum NeedleTarget: Hashable {
    case field(FieldID)
    case line
}

/// A literal that must occur for a rule to match (see `RuleNeedles`), or a
/// number the field must equal.
struct Needle: Hashable {
    let target: NeedleTarget
    /// Lower-cased (ASCII) when `caseless`, as `StringPattern` stores them.
    let bytes: [UInt8]
    let caseless: Bool
    /// A plain number value (`EventID: 4688`): the field's value must equal it
    /// as `ValueTest.numberEquals` compares (`bytes` is empty). Looked up per
    /// event, not scanned: `4688` is not a substring of `4.688e3`.
    var number: Double? = nil
    /// Necessary only for ASCII values: a `|re` atom. RE2 folds case by
    /// Unicode rules (the Kelvin sign onto `k`) and searches a value with
    /// ill-formed UTF-8 again with U+FFFD in its place; Hyperscan folds ASCII
    /// letters only. A value with a non-ASCII byte counts as a hit.
    var asciiOnly = false

    /// The bytes hashed as one block: the synthesized hash fed them to the
    /// hasher one `UInt8` at a time, and a large pack hashes needles millions
    /// of times while grouping them (a fortieth of its load). Equal needles
    /// hash equally: every field `==` compares is hashed or implied.
    func hash(into hasher: inout Hasher) {
        hasher.combine(target)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(bytes.count)
        hasher.combine(caseless)
        hasher.combine(number)
        hasher.combine(asciiOnly)
    }
}

/// A *necessary condition* of a compiled detection as literals: if the rule
/// matches an event, at least one needle of its set occurs where it says.
/// `nil` means no such set is known (the rule is evaluated on every event of
/// its routes); an empty set means the rule never matches.
///
/// - A string test needs the longest literal run of its pattern (wildcards
///   split runs) in one of its field's candidates.
/// - OR needs one needle from each child (the union), if every child has a set.
/// - AND needs what any one child needs: the most selective child's set.
/// - A plain number value needs the field to equal it (a number needle).
/// - A regex needs one of the atoms RE2's prefilter derives from it.
/// - NOT, comparisons, CIDR, exists, null, fieldref and `neq` give nothing.
enum RuleNeedles {
    /// Up to two needle sets that are each necessary: for a rule whose
    /// condition is an AND, the sets of its two most selective children (both
    /// must hit); otherwise the condition's own set. Empty: none is known.
    static func groups(_ node: MatchNode) -> [[Needle]] {
        if case .and(let children) = node {
            let sets = children.compactMap { of($0) }.map { ($0, score($0)) }
            return sets.enumerated().sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }.prefix(2).map(\.element.0)
        }
        return of(node).map { [$0] } ?? []
    }

    static func of(_ node: MatchNode) -> [Needle]? {
        switch node {
        case .field(let t): return of(t.pointee)
        case .keywords(let k): return of(k.pointee)
        case .fieldPair, .not: return nil
        case .constant(let v): return v ? nil : []
        case .and(let children): return best(children.lazy.map { of($0) })
        case .or(let children): return union(children.lazy.map { of($0) })
        }
    }

    static func of(_ test: FieldTest) -> [Needle]? {
        // A missing field may satisfy the test (`null` among the values): no literal is needed.
        if test.exists != nil || test.matchesMissing { return nil }
        let targets = test.candidates.map { NeedleTarget.field($0) }
        let perValue = test.tests.lazy.map { v -> [Needle]? in
            switch v {
            case .string(let p):
                guard let run = longestRun(p) else { return nil }
                return targets.map { Needle(target: $0, bytes: run, caseless: !p.caseSensitive) }
            case .numberEquals(let d):
                return targets.map { Needle(target: $0, bytes: [], caseless: false, number: d) }
            case .regex(let r):
                // RE2's own prefilter atoms (lower-cased, Unicode-folded): matched
                // caseless by ASCII rules, so a non-ASCII value counts as a hit.
                guard let atoms = r.necessaryAtoms else { return nil }
                return targets.flatMap { t in atoms.map { Needle(target: t, bytes: $0, caseless: true, asciiOnly: true) } }
            default:
                // CIDR blocks, comparisons, booleans and null give no literal.
                return nil
            }
        }
        switch test.combine {
        case .any: return union(perValue)
        case .all: return best(perValue)
        case .none: return nil
        }
    }

    static func of(_ test: KeywordTest) -> [Needle]? {
        let perValue = test.patterns.lazy.map { p -> [Needle]? in
            longestRun(p).map { [Needle(target: .line, bytes: $0, caseless: !p.caseSensitive)] }
        }
        return test.requireAll ? best(perValue) : union(perValue)
    }

    /// The longest run of literal bytes the pattern requires, or nil when it
    /// requires none (`*`, an empty value).
    static func longestRun(_ p: StringPattern) -> [UInt8]? {
        switch p.shape {
        case .anything: return nil
        case .exact, .prefix, .suffix, .contains:
            return p.literal.isEmpty ? nil : Array(p.literal)
        case .glob:
            var bestRun: [UInt8] = []
            var run: [UInt8] = []
            for t in p.glob {
                if t >= 0 { run.append(UInt8(t)); continue }
                if run.count > bestRun.count { bestRun = run }
                run.removeAll(keepingCapacity: true)
            }
            if run.count > bestRun.count { bestRun = run }
            return bestRun.isEmpty ? nil : bestRun
        }
    }

    /// All children's needles, or nil if one child has none.
    private static func union<S: Sequence>(_ sets: S) -> [Needle]? where S.Element == [Needle]? {
        var out: [Needle] = []
        var seen = Set<Needle>()
        for s in sets {
            guard let s else { return nil }
            for n in s where seen.insert(n).inserted { out.append(n) }
        }
        return out
    }

    /// The child set least likely to occur, or nil if no child has one.
    private static func best<S: Sequence>(_ sets: S) -> [Needle]? where S.Element == [Needle]? {
        var chosen: [Needle]?
        var chosenScore = Double.infinity
        for case let s? in sets {
            let score = self.score(s)
            if score < chosenScore { chosen = s; chosenScore = score }
        }
        return chosen
    }

    /// A rough chance that some needle of `set` occurs: short literals occur
    /// often (an `Image|endswith: .exe` leg is a poor filter), long ones rarely.
    /// A number (an `EventID`) counts as a poor filter, so a literal set is
    /// preferred where a rule has one; it serves rules that have nothing else.
    static func score(_ set: [Needle]) -> Double {
        var total = 0.0
        for n in set {
            if n.number != nil { total += 0.5; continue }
            let len = min(n.bytes.count, 12)
            total += len >= 3 ? 1.0 / Double(1 << len) : (len == 2 ? 0.5 : 1.0)
        }
        return total
    }
}
