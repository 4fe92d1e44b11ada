import Yams

/// Reading `secstream: {baseline: {method, threshold, history, season, min_history, min_samples, min_spread, min_spread_ratio}}`
/// (docs/windows.md, "Baselines"); every mistake names the rule file and line.
extension RuleDocumentParser {
    private static let baselineOptions = ["method", "threshold", "history", "season", "min_history", "min_samples", "min_spread", "min_spread_ratio"]

    func readBaseline(_ node: Node, kind: CorrelationKind, groupBy: [String], window: WindowKind, timespanMs: Int64,
                      condition: Threshold, conditionNode: Node?) throws -> BaselineSpec {
        let m = try reader.mapping(node, "'baseline'")
        for (k, _) in m {
            let key = try reader.key(k)
            guard Self.baselineOptions.contains(key) else {
                throw reader.error(k, "unknown baseline option '\(key)' (expected method, threshold, history, season, min_history, min_samples, min_spread or min_spread_ratio)")
            }
        }
        try checkBaselinePlacement(node, kind: kind, groupBy: groupBy, window: window, condition: condition,
                                   conditionNode: conditionNode)
        let method = try reader.choice(m["method"], "method", "baseline method", default: BaselineSpec.Method.zscore)
        let season = try reader.choice(m["season"], "season", "baseline season", default: BaselineSpec.Season.none)
        let threshold = try m["threshold"].map { try positiveNumber($0, "threshold") } ?? BaselineSpec.defaultThreshold
        let minSpread = try m["min_spread"].map { try positiveNumber($0, "min_spread") } ?? BaselineSpec.defaultMinSpread
        let minSpreadRatio = try m["min_spread_ratio"].map { n -> Double in
            guard case .scalar(let s) = n, case .number(let v, _) = SigmaScalar(s), v >= 0, v.isFinite else {
                throw reader.error(n, "baseline 'min_spread_ratio' needs a number of at least 0 (a fraction of the center, e.g. 0.5)")
            }
            return v
        } ?? 0
        guard let historyNode = m["history"] else { throw reader.error(node, "baseline needs 'history'") }
        let history = try baselineDuration(historyNode, "history")
        // The history is a whole number of windows (of whole season periods),
        // so each group keeps exactly the windows it compares with.
        guard history % timespanMs == 0 else {
            throw reader.error(historyNode, "baseline 'history' must be a whole number of timespans (\(timespanMs) ms)")
        }
        guard history / timespanMs <= Int64(BaselineSpec.maxWindowsPerGroup) else {
            throw reader.error(historyNode, "baseline 'history' holds \(history / timespanMs) windows; at most \(BaselineSpec.maxWindowsPerGroup) (4 bytes each per group): use a longer timespan or a shorter history")
        }
        if season != .none {
            guard timespanMs <= 3_600_000 && 3_600_000 % timespanMs == 0 else {
                throw reader.error(m["season"] ?? node, "a seasonal baseline needs a timespan that divides 1h (each window in one hour bucket)")
            }
            guard history % season.periodMs == 0 else {
                throw reader.error(historyNode, "baseline 'history' must be a whole number of \(season == .hourOfDay ? "days" : "weeks") with season \(season.rawValue)")
            }
        }
        let minHistory = try m["min_history"].map { try baselineDuration($0, "min_history") } ?? history / 2
        guard minHistory <= history else {
            throw reader.error(m["min_history"] ?? node, "baseline 'min_history' is longer than its 'history'")
        }
        var spec = BaselineSpec(method: method, threshold: threshold, historyMs: history, season: season,
                                minHistoryMs: minHistory, minSpread: minSpread, minSpreadRatio: minSpreadRatio)
        let perBucket = spec.samplesPerBucket(timespanMs: timespanMs)
        if let n = m["min_samples"] {
            guard case .scalar(let s) = n, case .number(let v, _) = SigmaScalar(s), v >= 2, v == v.rounded(), v <= Double(perBucket) else {
                throw reader.error(n, "'min_samples' needs a whole number from 2 to \(perBucket) (the windows of one season bucket within 'history')")
            }
            spec.minSamples = Int(v)
        } else {
            guard perBucket >= 2 else {
                throw reader.error(historyNode, "baseline 'history' holds \(perBucket) window(s) per season bucket; a spread needs at least 2")
            }
            spec.minSamples = min(BaselineSpec.defaultMinSamples, perBucket)
        }
        return spec
    }

    /// A baseline scores each closed window of a group against that group's
    /// own history: it needs groups, windows that close (tumbling), a value per
    /// window that the history can average (a count or a sum), and no
    /// condition thresholds (the score replaces them).
    private func checkBaselinePlacement(_ node: Node, kind: CorrelationKind, groupBy: [String], window: WindowKind,
                                        condition: Threshold, conditionNode: Node?) throws {
        guard [.eventCount, .valueCount, .valueSum].contains(kind) else {
            throw reader.error(node, "baseline applies only to event_count, value_count and value_sum correlations (not \(kind.rawValue))")
        }
        guard !groupBy.isEmpty else { throw reader.error(node, "baseline needs 'group-by': each group is scored against its own history") }
        guard window == .tumbling else {
            throw reader.error(node, "baseline scores closed windows: it needs 'window: tumbling' (not \(window == .sliding ? "sliding" : "session"))")
        }
        guard condition == Threshold() else {
            throw reader.error(conditionNode ?? node, "a baseline correlation fires on its score: its condition takes no gt, gte, lt, lte, eq or neq")
        }
    }

    /// A detection rule has no windows to score.
    func rejectBaselineOnDetection(_ document: KeyedMap) throws {
        guard let s = document["secstream"], case .mapping(let m) = s, let n = m["baseline"] else { return }
        throw reader.error(n, "baseline applies only to event_count, value_count and value_sum correlations (not a detection rule)")
    }

    private func positiveNumber(_ node: Node, _ what: String) throws -> Double {
        guard case .scalar(let s) = node, case .number(let v, _) = SigmaScalar(s), v > 0, v.isFinite else {
            throw reader.error(node, "baseline '\(what)' needs a number above 0")
        }
        return v
    }

    private func baselineDuration(_ node: Node, _ what: String) throws -> Int64 {
        let text = try reader.string(node, "'\(what)'")
        guard let ms = SigmaDuration.milliseconds(text), ms > 0 else {
            throw reader.error(node, "bad duration '\(text)' in baseline '\(what)' (expected a number and s, m, h or d, e.g. 14d)")
        }
        return ms
    }
}
