/// How a closed window compared with its group's history (a baseline
/// correlation's verdict; the alert carries it as `baseline`, docs/alerts.md).
public struct BaselineScore: Sendable, Equatable {
    public var method: BaselineSpec.Method
    /// (value − center) / spread.
    public var score: Double
    /// The history's mean (zscore) or median (mad).
    public var center: Double
    /// The history's stddev (zscore) or 1.4826 · MAD (mad), at least `min_spread`
    /// and `min_spread_ratio` · |center|.
    public var spread: Double
    /// Windows in the history the value was compared with (zeros included).
    public var samples: Int

    public init(method: BaselineSpec.Method, score: Double, center: Double, spread: Double, samples: Int) {
        self.method = method; self.score = score; self.center = center; self.spread = spread; self.samples = samples
    }

    /// Scores `value` against `history` (not empty); `scratch` is reused storage.
    static func compute(_ spec: BaselineSpec, value: Double, history: inout [Double]) -> BaselineScore {
        let n = Double(history.count)
        let center: Double
        var spread: Double
        switch spec.method {
        case .zscore:
            // Two passes: the mean first, then the squared deviations from it
            // (no cancellation between large sums).
            var sum = 0.0
            for x in history { sum += x }
            center = sum / n
            var squares = 0.0
            for x in history { squares += (x - center) * (x - center) }
            spread = (squares / n).squareRoot()
        case .mad:
            history.sort()
            center = median(history)
            for i in history.indices { history[i] = abs(history[i] - center) }
            history.sort()
            // 1.4826 · MAD estimates the stddev of normally distributed data.
            spread = 1.4826 * median(history)
        }
        spread = max(spread, spec.minSpread, spec.minSpreadRatio * abs(center))
        return BaselineScore(method: spec.method, score: (value - center) / spread, center: center, spread: spread,
                             samples: history.count)
    }

    /// The median of sorted values: the middle one, or the mean of the middle two.
    private static func median(_ sorted: [Double]) -> Double {
        let c = sorted.count
        return c % 2 == 1 ? sorted[c / 2] : (sorted[c / 2 - 1] + sorted[c / 2]) / 2
    }
}
