/// Saving and loading what the engine learned (`LearnedState`): the
/// baselines' window histories and the new-terms histories.
extension WindowEngine {
    /// What every baseline and new_terms correlation has learned so far.
    public func learnedState() -> LearnedState {
        var out = LearnedState()
        for (c, rule) in plan.rules.correlations.enumerated() {
            let fp = Self.fingerprint(rule, in: plan.rules)
            if let h = histories[c] {
                let s = h.saved()
                out.rules.append(.init(id: rule.meta.id, fingerprint: fp, payload: .newTerms(
                    firstTime: s.firstTime,
                    groups: s.groups.map { .init(hash: $0.hash, firstSeen: $0.firstSeen, lastSeen: $0.lastSeen, terms: $0.terms) })))
            }
            if let b = baselines[c] {
                out.rules.append(.init(id: rule.meta.id, fingerprint: fp, payload: .baseline(
                    groups: b.saved().map { .init(hash: $0.hash, first: $0.first, last: $0.last, values: $0.values) })))
            }
        }
        return out
    }

    /// What loading a `LearnedState` did, rule by rule.
    public struct LearnedStateLoad: Equatable {
        /// Rules whose state was loaded.
        public var loaded: [String] = []
        /// Rules of this run whose saved state came from a different version
        /// of the rule (its correlation changed): they start empty.
        public var changed: [String] = []
        /// Rules of the file this run does not have.
        public var unknown: [String] = []
    }

    /// Replaces what the matching rules learned with `state` (before the first event).
    @discardableResult
    public func load(_ state: LearnedState) -> LearnedStateLoad {
        var report = LearnedStateLoad()
        for saved in state.rules {
            var matched = false
            for (c, rule) in plan.rules.correlations.enumerated() where rule.meta.id == saved.id {
                switch saved.payload {
                case .newTerms(let firstTime, let groups):
                    guard let h = histories[c] else { continue }
                    matched = true
                    guard saved.fingerprint == Self.fingerprint(rule, in: plan.rules) else { report.changed.append(saved.id); continue }
                    h.restore(.init(firstTime: firstTime,
                                    groups: groups.map { ($0.hash, $0.firstSeen, $0.lastSeen, $0.terms) }))
                    report.loaded.append(saved.id)
                case .baseline(let groups):
                    guard let b = baselines[c] else { continue }
                    matched = true
                    guard saved.fingerprint == Self.fingerprint(rule, in: plan.rules) else { report.changed.append(saved.id); continue }
                    b.restore(groups.map { .init(hash: $0.hash, first: $0.first, last: $0.last, values: $0.values) })
                    report.loaded.append(saved.id)
                }
            }
            if !matched { report.unknown.append(saved.id) }
        }
        return report
    }

    /// A hash of what a correlation's learned state depends on: its kind,
    /// groups, timespan, window, value field, referenced rules, new_terms
    /// fields, history and term cap, baseline history. Any change makes saved state stale.
    static func fingerprint(_ rule: CorrelationRule, in rules: RuleSet) -> UInt64 {
        var text = "\(rule.meta.id)|\(rule.kind.rawValue)|\(rule.groupBy.joined(separator: ","))|\(rule.timespanMs)|"
        switch rule.window {
        case .sliding: text += "sliding"
        case .tumbling: text += "tumbling"
        case .session(let gap): text += "session \(gap)"
        }
        text += "|\(rule.valueFieldName ?? "")|"
        for input in rule.inputs {
            switch input.source {
            case .detection(let d): text += "d:\(rules.detections[d].meta.id),"
            case .correlation(let c): text += "c:\(rules.correlations[c].meta.id),"
            }
        }
        if let n = rule.newTerms {
            text += "|new_terms \(n.fields.joined(separator: ",")) \(n.historyMs) \(n.maxTermsPerGroup) \(n.groupFieldCount)"
        }
        // Only what the saved values depend on: the scoring options
        // (method, threshold, season, minimum support, spread floor) may be
        // tuned without learning again.
        if let b = rule.baseline { text += "|baseline \(b.historyMs)" }
        return Array(text.utf8).withUnsafeBytes { stableHash64($0) }
    }
}
