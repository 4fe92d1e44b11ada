/// Which loaded rules run, the way Hayabusa and sigma-cli users choose them
/// (`--min-level`, `--status`, `--tags`, `--exclude-rules`). A rule left out
/// still runs silently when a selected correlation needs it.
public struct RuleSelection: Sendable, Equatable {
    /// Sigma levels in order; a rule below `minLevel` is left out.
    public static let levels = ["informational", "low", "medium", "high", "critical"]

    /// nil: every level.
    public var minLevel: String?
    /// Empty: every status (and rules without one).
    public var statuses: Set<String> = []
    /// Empty: every rule; otherwise a rule with at least one of these tags
    /// (a tag also selects its sub-techniques: `attack.t1059` selects `attack.t1059.001`).
    public var tags: Set<String> = []
    /// Rule ids or names to leave out.
    public var excluded: Set<String> = []

    public init(minLevel: String? = nil, statuses: Set<String> = [], tags: Set<String> = [], excluded: Set<String> = []) {
        self.minLevel = minLevel; self.statuses = statuses; self.tags = tags; self.excluded = excluded
    }

    public var selectsEverything: Bool { minLevel == nil && statuses.isEmpty && tags.isEmpty && excluded.isEmpty }

    public func selects(_ meta: RuleMeta) -> Bool {
        if excluded.contains(meta.id) || meta.name.map(excluded.contains) == true { return false }
        if let minLevel, let wanted = RuleSelection.levels.firstIndex(of: minLevel.lowercased()) {
            guard let level = RuleSelection.levels.firstIndex(of: meta.level.lowercased()), level >= wanted else { return false }
        }
        if !statuses.isEmpty {
            guard let status = meta.status?.lowercased(), statuses.contains(status) else { return false }
        }
        if !tags.isEmpty {
            let ruleTags = meta.tags.map { $0.lowercased() }
            let hit = ruleTags.contains { t in tags.contains { t == $0 || t.hasPrefix($0 + ".") } }
            if !hit { return false }
        }
        return true
    }
}
