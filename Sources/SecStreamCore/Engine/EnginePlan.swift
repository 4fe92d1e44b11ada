/// The wiring between rules that both the workers (`MatchExtractor`) and the
/// engine thread (`WindowEngine`) derive from the same `RuleSet`: which
/// "targets" a matched detection feeds, and which correlations a correlation's
/// firing feeds. A target id is a small integer carried by every match record.
final class EnginePlan {
    enum Target {
        /// The detection rule itself writes one alert per matching event.
        case detectionAlert(detection: Int)
        /// Input `input` of correlation `correlation`.
        case correlationInput(correlation: Int, input: Int)
    }

    /// What a correlation aggregates besides counting events.
    enum ValueNeed { case none, bytes, number }

    let rules: RuleSet
    let targets: [Target]
    /// Target ids fed by each detection rule, in a fixed order.
    let targetsByDetection: [[Int32]]
    /// (correlation, input) pairs fed by each correlation's firings.
    let chainTargets: [[(correlation: Int, input: Int)]]
    let valueNeeds: [ValueNeed]

    init(rules: RuleSet) {
        self.rules = rules
        var targets: [Target] = []
        var byDetection = [[Int32]](repeating: [], count: rules.detections.count)
        var chains = [[(correlation: Int, input: Int)]](repeating: [], count: rules.correlations.count)
        for (d, rule) in rules.detections.enumerated() where rule.emitsAlerts {
            byDetection[d].append(Int32(targets.count))
            targets.append(.detectionAlert(detection: d))
        }
        for (c, corr) in rules.correlations.enumerated() {
            for (i, input) in corr.inputs.enumerated() {
                switch input.source {
                case .detection(let d) where d >= 0 && d < rules.detections.count:
                    byDetection[d].append(Int32(targets.count))
                    targets.append(.correlationInput(correlation: c, input: i))
                case .correlation(let s) where s >= 0 && s < c:
                    chains[s].append((c, i))
                default:
                    // Out of range or a forward reference: the loader rejects these;
                    // the engine ignores them rather than crash.
                    break
                }
            }
        }
        self.targets = targets
        self.targetsByDetection = byDetection
        self.chainTargets = chains
        self.valueNeeds = rules.correlations.map { corr in
            switch corr.kind {
            case .valueCount: return .bytes
            case .valueSum, .valueAvg, .valuePercentile, .valueMedian: return .number
            case .eventCount, .temporal, .temporalOrdered: return .none
            }
        }
    }
}
