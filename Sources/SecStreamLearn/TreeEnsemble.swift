import Foundation

/// XGBoost's trees as flat arrays, walked natively: scoring a window is a few
/// hundred compares and no allocation, so the stream scores millions of
/// windows a second per core (README, "A trained model"). It computes what
/// XGBoost's CPU predictor computes, in the same float arithmetic: features
/// as `Float`, `x < split` goes left, a missing (NaN) value takes the default
/// branch, the leaves summed onto the base margin tree by tree, then the
/// logistic. The differential tests hold it to XGBoost's own predictions.
public struct TreeEnsemble: Sendable {
    /// Per node: the split feature (-1 for a leaf), the split value (a leaf's
    /// value), the children (absolute indices), the branch for a missing value.
    struct Node {
        var feature: Int32
        var value: Float
        var left: Int32
        var right: Int32
    }
    let nodes: [Node]
    let defaultLeft: [Bool]
    /// Per node: the cover-weighted mean of the leaves below (Saabas contributions).
    let meanValues: [Float]
    /// Root index of each tree.
    let roots: [Int32]
    public let featureCount: Int
    /// The margin every prediction starts from (logit of XGBoost's `base_score`).
    public let baseMargin: Float

    public var treeCount: Int { roots.count }
    public var nodeCount: Int { nodes.count }

    /// Builds the ensemble from the `learner` object of XGBoost's JSON model.
    init(learner: [String: Any]) throws {
        func fail(_ what: String) -> TreeEnsemble.FormatError { FormatError(description: what) }
        guard let param = learner["learner_model_param"] as? [String: Any] else { throw fail("no learner_model_param") }
        guard let featureText = param["num_feature"] as? String, let features = Int(featureText), features > 0 else {
            throw fail("no num_feature")
        }
        if let classes = param["num_class"] as? String, let n = Int(classes), n > 1 { throw fail("a multi-class model (num_class \(n)); secstream scores binary models") }
        guard let objective = (learner["objective"] as? [String: Any])?["name"] as? String else { throw fail("no objective") }
        guard objective == "binary:logistic" || objective == "reg:logistic" else {
            throw fail("objective '\(objective)' (secstream scores binary:logistic models)")
        }
        guard let baseText = param["base_score"] as? String, let base = Float(baseText), base > 0, base < 1 else {
            throw fail("no base_score between 0 and 1")
        }
        guard let booster = learner["gradient_booster"] as? [String: Any],
              booster["name"] as? String == "gbtree",
              let model = booster["model"] as? [String: Any],
              let trees = model["trees"] as? [[String: Any]] else { throw fail("no gbtree trees") }
        var nodes: [Node] = [], defaults: [Bool] = [], means: [Float] = [], roots: [Int32] = []
        for (t, tree) in trees.enumerated() {
            let parsed = try Self.parseTree(tree, index: t, features: features, offset: Int32(nodes.count))
            roots.append(Int32(nodes.count))
            nodes += parsed.nodes
            defaults += parsed.defaultLeft
            means += parsed.means
        }
        self.nodes = nodes
        defaultLeft = defaults
        meanValues = means
        self.roots = roots
        featureCount = features
        // XGBoost's ProbToMargin for the logistic objectives, in float.
        baseMargin = -logf(1 / base - 1)
    }

    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
    }

    private static func parseTree(_ tree: [String: Any], index: Int, features: Int, offset: Int32) throws
        -> (nodes: [Node], defaultLeft: [Bool], means: [Float]) {
        func numbers(_ key: String) throws -> [Double] {
            guard let list = tree[key] as? [Any] else { throw FormatError(description: "tree \(index) has no \(key)") }
            return try list.map {
                if let n = $0 as? NSNumber { return n.doubleValue }
                throw FormatError(description: "tree \(index): \(key) holds a non-number")
            }
        }
        let left = try numbers("left_children"), right = try numbers("right_children")
        let split = try numbers("split_indices"), cond = try numbers("split_conditions")
        let hess = try numbers("sum_hessian"), dl = try numbers("default_left")
        let n = left.count
        guard n > 0, [right.count, split.count, cond.count, hess.count, dl.count].allSatisfy({ $0 == n }) else {
            throw FormatError(description: "tree \(index): node arrays of different lengths")
        }
        var nodes: [Node] = []
        for i in 0..<n {
            let l = Int(left[i]), r = Int(right[i])
            if l == -1 {
                nodes.append(Node(feature: -1, value: Float(cond[i]), left: -1, right: -1))
                continue
            }
            // Children after their parent: a walk always ends, whatever the file says.
            guard l > i, l < n, r > i, r < n, split[i] >= 0, Int(split[i]) < features else {
                throw FormatError(description: "tree \(index) node \(i): children or split feature out of range")
            }
            nodes.append(Node(feature: Int32(split[i]), value: Float(cond[i]), left: Int32(l) + offset, right: Int32(r) + offset))
        }
        // Mean values bottom-up (children have larger indices), weighted by cover as XGBoost's FillNodeMeanValues.
        var means = [Float](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let node = nodes[i]
            if node.feature < 0 { means[i] = node.value; continue }
            let l = Int(node.left - offset), r = Int(node.right - offset)
            var v = means[l] * Float(hess[l]) + means[r] * Float(hess[r])
            v /= Float(hess[i])
            means[i] = v
        }
        return (nodes, dl.map { $0 != 0 }, means)
    }

    // MARK: Scoring

    /// The model's probability for one feature vector (`featureCount` values).
    @inline(__always)
    public func predict(_ features: UnsafeBufferPointer<Float>) -> Float {
        Self.sigmoid(margin(features))
    }

    /// The raw margin (before the logistic) for one feature vector.
    public func margin(_ x: UnsafeBufferPointer<Float>) -> Float {
        precondition(x.count >= featureCount, "a feature vector shorter than the model's")
        return nodes.withUnsafeBufferPointer { nodes in
            defaultLeft.withUnsafeBufferPointer { defaults in
                var sum = baseMargin
                // Explicit unsafe access in the walk: indices were checked when the
                // trees were read (children in range, features < featureCount).
                for root in roots {
                    var n = Int(root)
                    while true {
                        let node = nodes[n]
                        if node.feature < 0 { sum += node.value; break }
                        let v = x[Int(node.feature)]
                        let goLeft = v.isNaN ? defaults[n] : v < node.value
                        n = Int(goLeft ? node.left : node.right)
                    }
                }
                return sum
            }
        }
    }

    /// Scores `count` vectors laid out row after row (`featureCount` apart) into `out`.
    public func predict(rows: UnsafeBufferPointer<Float>, count: Int, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(rows.count >= count * featureCount && out.count >= count)
        for r in 0..<count {
            out[r] = predict(UnsafeBufferPointer(rebasing: rows[(r * featureCount)..<((r + 1) * featureCount)]))
        }
    }

    /// XGBoost's `common::Sigmoid`, in float.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        1 / (expf(min(-x, 88.7)) + 1 + 1e-16)
    }

    /// Per-feature contributions to the margin, Saabas' method (XGBoost's
    /// `pred_contribs` with `approx_contribs`): along each tree's path, the
    /// change of the cover-weighted mean leaf value at each split is credited
    /// to the split's feature. `featureCount` values, then the bias; they sum
    /// to the margin. Computed only for windows that alert.
    public func contributions(_ x: UnsafeBufferPointer<Float>) -> [Float] {
        var out = [Float](repeating: 0, count: featureCount + 1)
        for root in roots {
            var n = Int(root)
            var nodeValue = meanValues[n]
            out[featureCount] += nodeValue
            while nodes[n].feature >= 0 {
                let node = nodes[n]
                let v = x[Int(node.feature)]
                n = Int((v.isNaN ? defaultLeft[n] : v < node.value) ? node.left : node.right)
                let newValue = meanValues[n]
                out[Int(node.feature)] += newValue - nodeValue
                nodeValue = newValue
            }
        }
        out[featureCount] += baseMargin
        return out
    }
}
