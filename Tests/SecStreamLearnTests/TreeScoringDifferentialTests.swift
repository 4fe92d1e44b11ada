import CXGBoost
import Foundation
import XCTest
import TestSupport
import SecStreamCore
@testable import SecStreamLearn

/// The native tree walk against XGBoost itself: the same model file scored
/// by the C API (`XGBoosterPredictFromDMatrix`) and by Python's `xgboost`, on
/// random feature vectors (some values missing), to 1e-6; the Saabas
/// contributions against XGBoost's approximate `pred_contribs`.
final class TreeScoringDifferentialTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "secstream-learn-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private let spec = WindowFeatureSpec.standard(groupBy: "source.ip", windowMs: 300_000)

    /// Rows whose label depends on a few features, with noise and missing values.
    private func randomRows(_ n: Int, seed: UInt64) -> (rows: [[Double]], labels: [Bool]) {
        var rng = SplitMix(seed: seed)
        var rows: [[Double]] = [], labels: [Bool] = []
        let columns = spec.features.count
        for _ in 0..<n {
            var row = (0..<columns).map { _ in Double(rng.next() % 10_000) / 100 }
            if rng.next() % 5 == 0 { row[Int(rng.next() % UInt64(columns))] = .nan }
            let score = (row[0].isNaN ? 50 : row[0]) + 0.5 * (row[5].isNaN ? 0 : row[5]) - 0.3 * (row[2].isNaN ? 0 : row[2])
            labels.append(score + Double(rng.next() % 30) > 80)
            rows.append(row)
        }
        return (rows, labels)
    }

    private func trainModel(rounds: Int = 40, depth: Int = 6, seed: UInt64 = 7) throws -> String {
        let (rows, labels) = randomRows(4000, seed: seed)
        let path = directory + "/model-\(rounds)-\(depth)-\(seed).json"
        var trainer = XGBoostTrainer()
        trainer.rounds = rounds
        trainer.maxDepth = depth
        try trainer.train(spec: spec, rows: rows, labels: labels, path: path)
        return path
    }

    /// XGBoost's C API on `vectors` (row-major Float): predictions (type 0)
    /// or approximate contributions (type 3).
    private func xgboostPredict(model: String, _ vectors: [Float], rows: Int, type: Int) throws -> [Float] {
        var booster: BoosterHandle?
        XCTAssertEqual(XGBoosterCreate(nil, 0, &booster), 0)
        defer { XGBoosterFree(booster) }
        guard XGBoosterLoadModel(booster, model) == 0 else { throw XCTSkip(String(cString: XGBGetLastError())) }
        let columns = spec.features.count
        var dmatrix: DMatrixHandle?
        XCTAssertEqual(vectors.withUnsafeBufferPointer {
            XGDMatrixCreateFromMat($0.baseAddress, bst_ulong(rows), bst_ulong(spec.features.count), Float.nan, &dmatrix)
        }, 0)
        defer { XGDMatrixFree(dmatrix) }
        let config = #"{"type":\#(type),"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false}"#
        var shape: UnsafePointer<bst_ulong>?
        var dim: bst_ulong = 0
        var result: UnsafePointer<Float>?
        guard XGBoosterPredictFromDMatrix(booster, dmatrix, config, &shape, &dim, &result) == 0 else {
            XCTFail(String(cString: XGBGetLastError()))
            return []
        }
        var total = 1
        for i in 0..<Int(dim) { total *= Int(shape![i]) }
        return Array(UnsafeBufferPointer(start: result, count: total))
    }

    private func randomVectors(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix(seed: seed)
        return (0..<(n * spec.features.count)).map { _ in
            rng.next() % 50 == 0 ? Float.nan : Float(Double(rng.next() % 12_000) / 100 - 10)
        }
    }

    func testNativeScoresEqualXGBoostCAPI() throws {
        let path = try trainModel()
        let model = try WindowModel.load(path: path)
        XCTAssertEqual(model.trees.treeCount, 40)
        let n = 5000
        let vectors = randomVectors(n, seed: 99)
        let expected = try xgboostPredict(model: path, vectors, rows: n, type: 0)
        XCTAssertEqual(expected.count, n)
        var native = [Float](repeating: -1, count: n)
        vectors.withUnsafeBufferPointer { rows in
            native.withUnsafeMutableBufferPointer { model.trees.predict(rows: rows, count: n, into: $0) }
        }
        var worst: Float = 0
        for i in 0..<n { worst = max(worst, abs(native[i] - expected[i])) }
        XCTAssertLessThanOrEqual(worst, 1e-6, "largest difference from XGBoost's C API")
        // The scores spread: a model that says the same for everything would pass trivially.
        XCTAssertGreaterThan(native.filter { $0 > 0.9 }.count, n / 20)
        XCTAssertGreaterThan(native.filter { $0 < 0.1 }.count, n / 20)
    }

    func testNativeContributionsEqualXGBoostApproximateContribs() throws {
        let path = try trainModel(rounds: 20, depth: 5, seed: 3)
        let model = try WindowModel.load(path: path)
        let n = 500, columns = spec.features.count
        let vectors = randomVectors(n, seed: 5)
        let expected = try xgboostPredict(model: path, vectors, rows: n, type: 3)
        XCTAssertEqual(expected.count, n * (columns + 1))
        var worst: Float = 0
        for r in 0..<n {
            let native = vectors.withUnsafeBufferPointer {
                model.trees.contributions(UnsafeBufferPointer(rebasing: $0[(r * columns)..<((r + 1) * columns)]))
            }
            for c in 0...columns { worst = max(worst, abs(native[c] - expected[r * (columns + 1) + c])) }
            // They add up to the margin.
            let margin = vectors.withUnsafeBufferPointer { model.trees.margin(UnsafeBufferPointer(rebasing: $0[(r * columns)..<((r + 1) * columns)])) }
            XCTAssertEqual(native.reduce(0, +), margin, accuracy: 1e-4)
        }
        XCTAssertLessThanOrEqual(worst, 1e-5, "largest contribution difference from XGBoost's approx_contribs")
    }

    /// Python's xgboost opens the model file as is (feature names, the spec
    /// attribute) and predicts what the native walk does.
    func testNativeScoresEqualPythonXGBoost() throws {
        try PythonVenv.requireVenv()
        let path = try trainModel(rounds: 30, depth: 4, seed: 11)
        let model = try WindowModel.load(path: path)
        let n = 2000, columns = spec.features.count
        let vectors = randomVectors(n, seed: 17)
        let input = vectors.map { $0.isNaN ? "NaN" : "\(Double($0))" }.joined(separator: ",")
        let script = """
        import sys, json, numpy as np, xgboost as xgb
        b = xgb.Booster(model_file=sys.argv[1])
        spec = json.loads(b.attr("secstream_feature_spec"))
        assert b.feature_names == [f["name"] for f in spec["features"]], (b.feature_names, spec)
        x = np.array([float(v) for v in sys.stdin.read().split(",")], dtype=np.float32).reshape(-1, int(sys.argv[2]))
        p = b.predict(xgb.DMatrix(x, missing=np.nan, feature_names=b.feature_names))
        print(",".join(repr(float(v)) for v in p))
        """
        let out = try PythonVenv.runInline(script, arguments: [path, String(columns)], stdin: Data(input.utf8))
        let expected = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: ",").map { Float(Double($0)!) }
        XCTAssertEqual(expected.count, n)
        var worst: Float = 0
        vectors.withUnsafeBufferPointer { rows in
            for r in 0..<n {
                let native = model.trees.predict(UnsafeBufferPointer(rebasing: rows[(r * columns)..<((r + 1) * columns)]))
                worst = max(worst, abs(native - expected[r]))
            }
        }
        XCTAssertLessThanOrEqual(worst, 1e-6, "largest difference from Python xgboost")
    }

    /// Same rows, same parameters: the same model bytes (one thread, fixed seed, exact trees).
    func testTrainingIsDeterministic() throws {
        let (rows, labels) = randomRows(2000, seed: 21)
        var trainer = XGBoostTrainer()
        trainer.rounds = 15
        let a = directory + "/a.json", b = directory + "/b.json"
        try trainer.train(spec: spec, rows: rows, labels: labels, path: a)
        try trainer.train(spec: spec, rows: rows, labels: labels, path: b)
        let bytesA = try Data(contentsOf: URL(fileURLWithPath: a)), bytesB = try Data(contentsOf: URL(fileURLWithPath: b))
        XCTAssertGreaterThan(bytesA.count, 1000)
        XCTAssertEqual(bytesA, bytesB)
        XCTAssertEqual(try WindowModel.load(path: a).ruleID, try WindowModel.load(path: b).ruleID)
    }

    /// Labels all one way cannot train a classifier: said, not crashed on.
    func testTrainingRefusesOneClass() {
        let (rows, _) = randomRows(100, seed: 1)
        XCTAssertThrowsError(try XGBoostTrainer().train(spec: spec, rows: rows, labels: Array(repeating: false, count: 100),
                                                        path: directory + "/x.json")) {
            XCTAssertTrue("\($0)".contains("no window is labelled positive"), "\($0)")
        }
    }

    /// A file that is not a model, a model without the spec, a spec that
    /// does not fit the trees: each one error naming the file and the problem.
    func testModelFileErrors() throws {
        let garbage = directory + "/garbage.json"
        try "{not json".write(toFile: garbage, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try WindowModel.load(path: garbage)) {
            XCTAssertEqual("\($0)", "\(garbage): not an XGBoost JSON model (no learner object)")
        }
        XCTAssertThrowsError(try WindowModel.load(path: directory + "/missing.json")) {
            XCTAssertTrue("\($0)".hasSuffix("missing.json: cannot read the model file"), "\($0)")
        }
        let path = try trainModel(rounds: 2, depth: 2, seed: 1)
        var root = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var learner = root["learner"] as! [String: Any]
        learner["attributes"] = [String: Any]()
        root["learner"] = learner
        let noSpec = directory + "/nospec.json"
        try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: noSpec))
        XCTAssertThrowsError(try WindowModel.load(path: noSpec)) {
            XCTAssertTrue("\($0)".hasPrefix("\(noSpec): no secstream feature spec"), "\($0)")
        }
        var shorter = WindowFeatureSpec.standard(groupBy: "source.ip", windowMs: 300_000)
        shorter.features.removeLast()
        learner["attributes"] = [WindowFeatureSpec.attribute: shorter.json()]
        root["learner"] = learner
        let mismatch = directory + "/mismatch.json"
        try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: mismatch))
        XCTAssertThrowsError(try WindowModel.load(path: mismatch)) {
            XCTAssertEqual("\($0)", "\(mismatch): the trees read 15 features but the spec lists 14")
        }
        // A child index pointing back up would loop forever: refused when read.
        var booster = learner["gradient_booster"] as! [String: Any]
        var model = booster["model"] as! [String: Any]
        var trees = model["trees"] as! [[String: Any]]
        var left = trees[0]["left_children"] as! [Int]
        left[0] = 0
        trees[0]["left_children"] = left
        model["trees"] = trees; booster["model"] = model; learner["gradient_booster"] = booster
        learner["attributes"] = [WindowFeatureSpec.attribute: spec.json()]
        root["learner"] = learner
        let loop = directory + "/loop.json"
        try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: loop))
        XCTAssertThrowsError(try WindowModel.load(path: loop)) {
            XCTAssertEqual("\($0)", "\(loop): tree 0 node 0: children or split feature out of range")
        }
    }
}
