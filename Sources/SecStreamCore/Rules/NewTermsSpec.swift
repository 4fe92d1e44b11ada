/// `secstream: {new_terms: {fields: [...], history: 30d, warmup: 1d, max_terms: 1024, new_groups: alert}}`
/// on an `event_count` correlation: Elastic's "new terms" rule. An event of
/// the correlation counts only when its term (the values of `fields`, as a
/// tuple) has not been seen for its group (the `group-by` values) within
/// `history` before it; the learned history, its warm-up and its memory
/// bound are described in docs/windows.md ("New terms").
public struct NewTermsSpec: Sendable, Equatable {
    /// What the first terms of a group the history does not know are, once
    /// the rule's warm-up is over.
    public enum NewGroups: String, Sendable, Equatable, CaseIterable {
        /// New, as Elastic's new terms rule has it: a never-seen user's first
        /// login fires.
        case alert
        /// Learned: the group has its own warm-up of `warmup` from its first
        /// event, so a new user fires only on addresses new after it.
        case learn
    }

    /// The term fields as written. They follow the `group-by` fields in the
    /// rule's `groupBy` (so an alert's `group` names the new term) and in the
    /// key every input extracts.
    public var fields: [String]
    /// A term last seen at `t` is known up to and including `t + history`.
    public var historyMs: Int64
    /// From the first event the rule sees, how long it only learns.
    public var warmupMs: Int64
    /// Terms remembered per group; past it the group's least recently seen term is forgotten.
    public var maxTermsPerGroup: Int
    /// How many leading segments of a key are the group (the `group-by` as written).
    public var groupFieldCount: Int
    public var newGroups: NewGroups

    /// Terms per group when the rule does not say (`max_terms`).
    public static let defaultMaxTermsPerGroup = 1024

    public init(fields: [String], historyMs: Int64, warmupMs: Int64, maxTermsPerGroup: Int = NewTermsSpec.defaultMaxTermsPerGroup,
                groupFieldCount: Int, newGroups: NewGroups = .alert) {
        self.fields = fields; self.historyMs = historyMs; self.warmupMs = warmupMs
        self.maxTermsPerGroup = maxTermsPerGroup; self.groupFieldCount = groupFieldCount; self.newGroups = newGroups
    }
}
