/// Index of a field path in a `FieldSchema`: a small integer used by the scanner,
/// the rule predicates and the engine instead of a `String`.
public typealias FieldID = Int

/// The set of dotted field paths (`source.ip`) that the loaded rules, the time
/// field and the group-by fields need. The scanner extracts exactly these and
/// skips everything else (projection pushdown).
public final class FieldSchema {
    public private(set) var paths: [String] = []
    private var index: [String: FieldID] = [:]

    public init(paths: [String] = []) {
        for p in paths { _ = intern(p) }
    }

    /// Returns the id of `path`, adding it when new.
    @discardableResult
    public func intern(_ path: String) -> FieldID {
        if let id = index[path] { return id }
        let id = paths.count
        paths.append(path)
        index[path] = id
        return id
    }

    public func id(of path: String) -> FieldID? { index[path] }

    public var count: Int { paths.count }
}
