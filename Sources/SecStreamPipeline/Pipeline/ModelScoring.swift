import SecStreamCore
import SecStreamLearn

/// `--model`: the window features of a pipeline wired to the model's scorer,
/// whose alerts go to the run's `AlertWriter` like the rules'.
package enum ModelScoring {
    /// The model `--model` names (nil without it), read before any input or
    /// archive is opened: a model file secstream cannot use is a usage error
    /// (exit 2) naming it.
    package static func load(_ config: ModelConfiguration) throws -> WindowModel? {
        guard let path = config.path else { return nil }
        do { return try WindowModel.load(path: path) } catch let error as ModelFileError {
            throw RunError(.usage, "--model \(error)")
        }
    }

    /// The pipeline's window features scoring `model` (nil: none). A model
    /// trained with `--rules` counts those rules' matches: the run must load
    /// them (a usage error naming the first missing one otherwise).
    package static func features(_ model: WindowModel?, _ config: ModelConfiguration, alerts: AlertWriter,
                                 sources: SourceTable, rules: RuleSet) throws -> PipelineWindowFeatures? {
        guard let model else { return nil }
        for feature in model.spec.features {
            guard case .ruleMatches(let id) = feature.kind else { continue }
            if !rules.detections.contains(where: { $0.meta.id == id }) {
                throw RunError(.usage, "--model \(config.path ?? ""): its feature \(feature.name) counts the matches of rule \(id), which this run does not load (give it with --rules)")
            }
        }
        let scorer = WindowScorer(model: model, threshold: config.threshold)
        return PipelineWindowFeatures(spec: model.spec) { window in
            if let alert = scorer.alert(for: window, samples: sources.resolve) { try alerts.emit(alert) }
        }
    }
}
