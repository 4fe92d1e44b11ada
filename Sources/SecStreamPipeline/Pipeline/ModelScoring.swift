import SecStreamCore
import SecStreamLearn

/// `--model`: the window features of a pipeline wired to the model's scorer,
/// whose alerts go to the run's `AlertWriter` like the rules'.
package enum ModelScoring {
    /// Nil without `--model`. A model file secstream cannot use is a usage error (exit 2) naming it.
    package static func open(_ config: ModelConfiguration, alerts: AlertWriter, sources: SourceTable) throws -> PipelineWindowFeatures? {
        guard let path = config.path else { return nil }
        let model: WindowModel
        do { model = try WindowModel.load(path: path) } catch let error as ModelFileError {
            throw RunError(.usage, "--model \(error)")
        }
        let scorer = WindowScorer(model: model, threshold: config.threshold)
        return PipelineWindowFeatures(spec: model.spec) { window in
            if let alert = scorer.alert(for: window, samples: sources.resolve) { try alerts.emit(alert) }
        }
    }
}
