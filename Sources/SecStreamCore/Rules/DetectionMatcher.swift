/// A compiled Sigma detection: the condition over its selections as a tree of
/// byte-level tests. Immutable after compilation, so one matcher may be shared
/// by worker threads; matching allocates nothing and touches no reference
/// counts per event (`|re` runs in RE2, whose compiled object the arena owns).
public final class DetectionMatcher: @unchecked Sendable {
    let root: MatchNode
    /// Owns every buffer `root` points into.
    private let arena: MatcherArena

    init(root: MatchNode, arena: MatcherArena) {
        self.root = root
        self.arena = arena
    }

    /// A matcher with a fixed answer, for rule sets assembled in code (the
    /// engine's tests feed matches directly and never ask the matcher).
    public convenience init(constant: Bool = false) {
        self.init(root: .constant(constant), arena: MatcherArena())
    }

    /// The AND of several matchers (a rule and the Sigma filters applied to it);
    /// keeps their arenas alive.
    convenience init(allOf matchers: [DetectionMatcher]) {
        let arena = MatcherArena()
        for m in matchers { _ = arena.keep(m) }
        self.init(root: MatchNode.all(matchers.map(\.root), arena: arena), arena: arena)
    }

    /// Whether `event` satisfies the rule's condition.
    @inline(__always)
    public func matches(_ event: EventView) -> Bool { root.matches(event) }
}

/// A node of a compiled condition: a plain value whose children and tests
/// live in the rule's `MatcherArena`. Tests are held by pointer so that a node
/// is two words: walking the tree copies no test payloads (copying them per
/// event through the stack cost store-forwarding stalls). AND/OR children are ordered cheapest first at compile
/// time: the tests are pure, so the order changes only how soon the result is known.
enum MatchNode {
    case field(UnsafePointer<FieldTest>)
    case keywords(UnsafePointer<KeywordTest>)
    case fieldPair(UnsafePointer<FieldPairTest>)
    case and(UnsafeBufferPointer<MatchNode>)
    case or(UnsafeBufferPointer<MatchNode>)
    case not(UnsafePointer<MatchNode>)
    case constant(Bool)

    func matches(_ event: EventView) -> Bool {
        switch self {
        case .field(let t): return FieldTest.matches(t, event)
        case .keywords(let k): return k.pointee.matches(event)
        case .fieldPair(let t): return t.pointee.matches(event)
        case .and(let children):
            for c in children where !c.matches(event) { return false }
            return true
        case .or(let children):
            for c in children where c.matches(event) { return true }
            return false
        case .not(let inner): return !inner.pointee.matches(event)
        case .constant(let v): return v
        }
    }

    var cost: Int {
        switch self {
        case .field(let t): return t.pointee.cost
        case .keywords(let k): return k.pointee.cost
        case .fieldPair: return 4
        case .and(let c), .or(let c): return c.reduce(0) { $0 + $1.cost }
        case .not(let inner): return inner.pointee.cost
        case .constant: return 0
        }
    }

    /// AND of `children`, flattened and ordered cheapest first.
    static func all(_ children: [MatchNode], arena: MatcherArena) -> MatchNode {
        var flat: [MatchNode] = []
        for c in children { if case .and(let inner) = c { flat += inner } else { flat.append(c) } }
        if flat.count == 1 { return flat[0] }
        return .and(arena.store(flat.sorted { $0.cost < $1.cost }))
    }

    /// OR of `children`, flattened and ordered cheapest first.
    static func any(_ children: [MatchNode], arena: MatcherArena) -> MatchNode {
        var flat: [MatchNode] = []
        for c in children { if case .or(let inner) = c { flat += inner } else { flat.append(c) } }
        if flat.count == 1 { return flat[0] }
        return .or(arena.store(flat.sorted { $0.cost < $1.cost }))
    }

    static func negation(_ inner: MatchNode, arena: MatcherArena) -> MatchNode {
        .not(arena.store([inner]).baseAddress!)
    }
}
