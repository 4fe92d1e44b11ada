import SecStreamCore

/// `--model FILE [--model-threshold P]` (process over files and stdin, replay):
/// a model `secstream train` wrote, scored on every closed window.
public struct ModelConfiguration: Sendable, Equatable {
    /// The XGBoost JSON model with secstream's feature spec; nil: no model.
    public var path: String?
    /// A window alerts when its score (probability) is at least this.
    public var threshold = 0.5

    public init() {}

    public func validate() throws {
        guard threshold >= 0 && threshold <= 1 && !threshold.isNaN else {
            throw RunError(.usage, "--model-threshold \(threshold): a score between 0 and 1")
        }
        if path == nil && threshold != 0.5 { throw RunError(.usage, "--model-threshold needs --model") }
    }
}
