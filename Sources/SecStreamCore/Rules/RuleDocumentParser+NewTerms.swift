import Yams

/// Reading `secstream: {new_terms: {fields: [...], history: 30d, warmup: 1d, max_terms: 1024, new_groups: alert}}`
/// (docs/windows.md, "New terms"); every mistake names the rule file and line.
extension RuleDocumentParser {
    private static let newTermsOptions = ["fields", "history", "warmup", "max_terms", "new_groups"]

    func readNewTerms(_ node: Node, groupBy: [String]) throws -> NewTermsSpec {
        let m = try reader.mapping(node, "'new_terms'")
        for (k, _) in m {
            let key = try reader.key(k)
            guard Self.newTermsOptions.contains(key) else {
                throw reader.error(k, "unknown new_terms option '\(key)' (expected fields, history, warmup, max_terms or new_groups)")
            }
        }
        guard let fieldsNode = m["fields"] else { throw reader.error(node, "new_terms needs 'fields'") }
        let fields = try reader.stringList(fieldsNode, "new_terms 'fields'")
        guard !fields.isEmpty else { throw reader.error(fieldsNode, "new_terms 'fields' is empty") }
        var listed = Set<String>()
        for f in fields {
            guard !f.isEmpty else { throw reader.error(fieldsNode, "new_terms 'fields' holds an empty name") }
            guard listed.insert(f).inserted else { throw reader.error(fieldsNode, "new_terms field '\(f)' is listed twice") }
            // The group's own value would be its only term: never new after its first event.
            guard !groupBy.contains(f) else {
                throw reader.error(fieldsNode, "new_terms field '\(f)' is also in group-by")
            }
        }
        guard let historyNode = m["history"] else { throw reader.error(node, "new_terms needs 'history'") }
        let history = try duration(historyNode, "history", zeroAllowed: false)
        let warmup = try m["warmup"].map { try duration($0, "warmup", zeroAllowed: true) } ?? history
        var maxTerms = NewTermsSpec.defaultMaxTermsPerGroup
        if let n = m["max_terms"] {
            guard case .scalar(let s) = n, case .number(let v, _) = SigmaScalar(s), v >= 1, v <= 16_777_216, v == v.rounded() else {
                throw reader.error(n, "'max_terms' needs a whole number from 1 to 16777216")
            }
            maxTerms = Int(v)
        }
        let newGroups = try reader.choice(m["new_groups"], "new_groups", "new_groups", default: NewTermsSpec.NewGroups.alert)
        return NewTermsSpec(fields: fields, historyMs: history, warmupMs: warmup, maxTermsPerGroup: maxTerms,
                            groupFieldCount: groupBy.count, newGroups: newGroups)
    }

    /// new_terms filters the events of a sliding `event_count` that fires on
    /// each one (`gte: 1`): every new term is one alert. Other kinds aggregate
    /// values the filter would have to pick among; other conditions and
    /// windows would count per (group, term), where a term is new only once.
    func checkNewTermsPlacement(_ node: Node, kind: CorrelationKind, window: WindowKind, condition: Threshold,
                                conditionNode: Node) throws {
        guard kind == .eventCount else {
            throw reader.error(node, "new_terms applies only to event_count correlations (not \(kind.rawValue))")
        }
        guard window == .sliding else {
            throw reader.error(node, "new_terms runs on sliding windows only (not \(window == .tumbling ? "tumbling" : "session"))")
        }
        guard condition == Threshold(gte: 1) else {
            throw reader.error(conditionNode, "a new_terms correlation fires once per new term: its condition must be {gte: 1}")
        }
    }

    /// A detection rule matches single events: it has no groups to learn terms for.
    func rejectNewTermsOnDetection(_ document: KeyedMap) throws {
        guard let s = document["secstream"], case .mapping(let m) = s, let n = m["new_terms"] else { return }
        throw reader.error(n, "new_terms applies only to event_count correlations (not a detection rule)")
    }

    /// A Sigma duration (`30d`, `12h`); `warmup` may also be `0` (fire from the first event).
    private func duration(_ node: Node, _ what: String, zeroAllowed: Bool) throws -> Int64 {
        let text = try reader.string(node, "'\(what)'")
        if zeroAllowed && text == "0" { return 0 }
        guard let ms = SigmaDuration.milliseconds(text) else {
            throw reader.error(node, "bad duration '\(text)' in new_terms '\(what)' (expected a number and s, m, h or d, e.g. 30d\(zeroAllowed ? ", or 0" : ""))")
        }
        return ms
    }
}
