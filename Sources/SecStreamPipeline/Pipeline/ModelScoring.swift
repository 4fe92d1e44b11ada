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

    /// The pipeline's window features scoring `model` (nil: none).
    package static func features(_ model: WindowModel?, _ config: ModelConfiguration, alerts: AlertWriter,
                                 sources: SourceTable) -> PipelineWindowFeatures? {
        guard let model else { return nil }
        let scorer = WindowScorer(model: model, threshold: config.threshold)
        return PipelineWindowFeatures(spec: model.spec) { window in
            if let alert = scorer.alert(for: window, samples: sources.resolve) { try alerts.emit(alert) }
        }
    }
}
