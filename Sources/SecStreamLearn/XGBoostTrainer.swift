import CXGBoost
import Foundation

/// Trains a gradient-boosted tree model on window feature vectors through
/// XGBoost's C API and saves it as XGBoost's JSON model, the feature spec in
/// its attributes and the feature names in the model, so Python's
/// `xgboost.Booster(model_file=…)` opens it as is. One thread, a fixed seed
/// and the exact tree method: the same rows give the same model bytes.
public struct XGBoostTrainer {
    public var rounds = 30
    public var maxDepth = 4
    public var eta = 0.3
    public var seed = 0

    public init() {}

    /// The XGBoost version linked (major, minor, patch).
    public static var version: (Int32, Int32, Int32) {
        var a: Int32 = 0, b: Int32 = 0, c: Int32 = 0
        XGBoostVersion(&a, &b, &c)
        return (a, b, c)
    }

    /// Trains on `rows` (each `spec.features.count` long) with 0/1 `labels`
    /// and writes the model to `path` (a `.json` name: XGBoost's JSON format).
    public func train(spec: WindowFeatureSpec, rows: [[Double]], labels: [Bool], path: String) throws {
        let columns = spec.features.count
        guard !rows.isEmpty else { throw TrainError("no windows to train on: the input has no events with \(spec.groupBy)") }
        guard labels.contains(true) else { throw TrainError("no window is labelled positive: the labels match no group and time of the input") }
        guard labels.contains(false) else { throw TrainError("every window is labelled positive: nothing to tell them from") }
        var matrix = [Float](); matrix.reserveCapacity(rows.count * columns)
        for row in rows { precondition(row.count == columns); matrix += row.map(Float.init) }
        let y = labels.map { $0 ? Float(1) : 0 }

        var dmatrix: DMatrixHandle?
        try check(matrix.withUnsafeBufferPointer { XGDMatrixCreateFromMat($0.baseAddress, bst_ulong(rows.count), bst_ulong(columns), Float.nan, &dmatrix) })
        defer { XGDMatrixFree(dmatrix) }
        try check(y.withUnsafeBufferPointer { XGDMatrixSetFloatInfo(dmatrix, "label", $0.baseAddress, bst_ulong(y.count)) })
        var booster: BoosterHandle?
        var matrices: [DMatrixHandle?] = [dmatrix]
        try check(matrices.withUnsafeMutableBufferPointer { XGBoosterCreate($0.baseAddress, 1, &booster) })
        defer { XGBoosterFree(booster) }
        let params: [(String, String)] = [
            ("objective", "binary:logistic"), ("base_score", "0.5"), ("tree_method", "exact"),
            ("max_depth", String(maxDepth)), ("eta", String(eta)), ("seed", String(seed)), ("nthread", "1"),
            ("verbosity", "0"),
        ]
        for (k, v) in params { try check(XGBoosterSetParam(booster, k, v)) }
        for i in 0..<rounds { try check(XGBoosterUpdateOneIter(booster, Int32(i), dmatrix)) }
        try check(XGBoosterSetAttr(booster, WindowFeatureSpec.attribute, spec.json()))
        try setStrings(booster, "feature_name", spec.names)
        try setStrings(booster, "feature_type", Array(repeating: "float", count: columns))
        try check(XGBoosterSaveModel(booster, path))
    }

    private func setStrings(_ booster: BoosterHandle?, _ field: String, _ values: [String]) throws {
        var pointers = values.map { strdup($0) }
        defer { for p in pointers { free(p) } }
        try pointers.withUnsafeMutableBufferPointer { buffer in
            try buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { rebound in
                try check(XGBoosterSetStrFeatureInfo(booster, field, rebound.baseAddress, bst_ulong(values.count)))
            }
        }
    }

    private func check(_ code: Int32) throws {
        guard code != 0 else { return }
        throw TrainError("xgboost: " + String(cString: XGBGetLastError()))
    }

    public struct TrainError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
