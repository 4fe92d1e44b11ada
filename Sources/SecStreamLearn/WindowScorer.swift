import SecStreamCore

/// `process --model`: scores each closed window with the model's trees and
/// turns a score at or above the threshold into an alert naming the
/// features that pushed the score up most (Saabas contributions, computed
/// natively and only for alerting windows).
public final class WindowScorer {
    public let model: WindowModel
    public let threshold: Double
    /// How many contributing features an alert names.
    public let topFeatures: Int
    private var vector: [Float]
    public private(set) var windowsScored = 0

    public init(model: WindowModel, threshold: Double, topFeatures: Int = 3) {
        self.model = model
        self.threshold = threshold
        self.topFeatures = topFeatures
        vector = [Float](repeating: 0, count: model.trees.featureCount)
    }

    /// The score of `window` (XGBoost's probability).
    public func score(_ window: ClosedWindow) -> Float {
        for i in 0..<vector.count { vector[i] = Float(window.features[i]) }
        windowsScored += 1
        return vector.withUnsafeBufferPointer { model.trees.predict($0) }
    }

    /// The alert for `window`, or nil when it scores below the threshold.
    /// `samples` resolves the window's event locations.
    public func alert(for window: ClosedWindow, samples: (EventLocation) -> AlertSample) -> Alert? {
        let score = score(window)
        guard Double(score) >= threshold else { return nil }
        let contributions = vector.withUnsafeBufferPointer { model.trees.contributions($0) }
        let names = model.spec.names
        let top = (0..<names.count)
            .filter { contributions[$0] > 0 }
            .sorted { contributions[$0] != contributions[$1] ? contributions[$0] > contributions[$1] : $0 < $1 }
            .prefix(topFeatures)
        var hash = StableHash128()
        hash.add(string: model.ruleID)
        window.group.withUnsafeBytes { hash.add(field: $0) }
        hash.add(int: window.start)
        let (high, low) = hash.finish()
        var alert = Alert(
            id: AlertID(high: high, low: low), ruleID: model.ruleID,
            title: "Model \(model.name): unusual \(model.spec.groupBy) window", level: "medium",
            tags: ["secstream.model"], group: [.init(field: model.spec.groupBy, value: window.groupValue)],
            windowStart: window.start, windowEnd: window.end, value: Self.rounded(Double(score)),
            firstSeen: window.firstSeen, lastSeen: window.lastSeen, detectedAt: window.end,
            samples: window.samples.map(samples))
        alert.features = top.map {
            Alert.AlertFeature(name: names[$0], value: Self.rounded(window.features[$0]),
                               contribution: Self.rounded(Double(contributions[$0])))
        }
        return alert
    }

    /// Six decimals: a float's score without its binary noise in the JSON.
    static func rounded(_ v: Double) -> Double { (v * 1e6).rounded() / 1e6 }
}
