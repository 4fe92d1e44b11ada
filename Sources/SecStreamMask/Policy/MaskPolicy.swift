/// A parsed masking policy (`--mask FILE`, see secstream-mask(5)): the key,
/// an action per field name or wildcard, and the free-text patterns.
public struct MaskPolicy: Sendable {
    public let file: String
    public let key: MaskKey
    /// Exact dotted paths.
    let exact: [String: MaskAction]
    /// Wildcard names, in file order: the first that matches wins.
    let wildcards: [(FieldPattern, MaskAction)]
    let patterns: TextPatterns

    init(file: String, key: MaskKey, exact: [String: MaskAction], wildcards: [(FieldPattern, MaskAction)],
         patterns: TextPatterns) {
        self.file = file; self.key = key; self.exact = exact; self.wildcards = wildcards; self.patterns = patterns
    }

    /// The action for a field; an exact name beats a wildcard.
    public func action(for path: String) -> MaskAction? {
        if let action = exact[path] { return action }
        for (pattern, action) in wildcards where pattern.matches(path) { return action }
        return nil
    }

    /// Does any rule name `path` or a field under it (`user` for `user.name`)?
    /// Lets the walker skip whole objects no rule reaches.
    func reaches(under prefix: String) -> Bool {
        if !wildcards.isEmpty { return true }
        let dotted = prefix + "."
        return exact.keys.contains { $0.hasPrefix(dotted) }
    }
}
