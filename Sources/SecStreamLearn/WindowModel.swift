import Foundation
import SecStreamCore

/// A model file `secstream train` wrote (or any XGBoost JSON model carrying
/// secstream's feature spec): the spec the features are computed by, and the
/// trees that score them.
public struct WindowModel: Sendable {
    public let spec: WindowFeatureSpec
    public let trees: TreeEnsemble
    /// The rule id of its alerts: `model-` and the first 16 hex digits of a
    /// stable hash of the file's bytes, so a retrained model's alerts have other ids.
    public let ruleID: String
    /// The file name, for the alert title.
    public let name: String

    /// Reads `path`; a file that is not an XGBoost JSON model with secstream's
    /// feature spec is a `ModelFileError` naming the file and what is wrong.
    public static func load(path: String) throws -> WindowModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(path: path, "cannot read the model file")
        }
        guard let any = try? JSONSerialization.jsonObject(with: data), let root = any as? [String: Any],
              let learner = root["learner"] as? [String: Any] else {
            throw ModelFileError(path: path, "not an XGBoost JSON model (no learner object)")
        }
        guard let specText = (learner["attributes"] as? [String: Any])?[WindowFeatureSpec.attribute] as? String else {
            throw ModelFileError(path: path, "no secstream feature spec (attribute \(WindowFeatureSpec.attribute)): train it with `secstream train`")
        }
        let spec: WindowFeatureSpec
        do { spec = try WindowFeatureSpec.parse(specText) } catch {
            throw ModelFileError(path: path, "\(error)")
        }
        let trees: TreeEnsemble
        do { trees = try TreeEnsemble(learner: learner) } catch {
            throw ModelFileError(path: path, "\(error)")
        }
        guard trees.featureCount == spec.features.count else {
            throw ModelFileError(path: path, "the trees read \(trees.featureCount) features but the spec lists \(spec.features.count)")
        }
        var hash = StableHash128()
        data.withUnsafeBytes { hash.add(bytes: $0) }
        let (high, _) = hash.finish()
        let hex = String(high, radix: 16)
        let id = "model-" + String(repeating: "0", count: 16 - hex.count) + hex
        return WindowModel(spec: spec, trees: trees, ruleID: id, name: (path as NSString).lastPathComponent)
    }
}

/// A model file secstream cannot use: the file and what is wrong (exit 2).
public struct ModelFileError: Error, CustomStringConvertible {
    public let path: String
    public let what: String
    public init(path: String, _ what: String) { self.path = path; self.what = what }
    public var description: String { "\(path): \(what)" }
}
