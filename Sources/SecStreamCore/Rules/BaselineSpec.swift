/// `secstream: {baseline: {method: zscore, threshold: 4, history: 14d, season: hour-of-week,
/// min_history: 7d, min_samples: 7, min_spread: 1, min_spread_ratio: 0}}` on a tumbling `event_count`,
/// `value_count` or `value_sum` correlation with `group-by`: each closed
/// window's value is scored against the same group's earlier window values
/// (in the same season bucket) and the correlation fires when the score
/// reaches `threshold`. It replaces the correlation's condition thresholds.
/// The history, its zeros, the minimum support and the memory per group are
/// described in docs/windows.md ("Baselines").
public struct BaselineSpec: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable {
        /// (value − mean) / stddev (population stddev of the history).
        case zscore
        /// (value − median) / (1.4826 · median absolute deviation): robust to
        /// outliers already in the history.
        case mad
    }

    /// Which earlier windows a window is compared with.
    public enum Season: String, Sendable, CaseIterable {
        /// Every earlier window within `history`.
        case none
        /// Windows starting in the same UTC hour of the day.
        case hourOfDay = "hour-of-day"
        /// Windows starting in the same UTC hour of the week (Monday 00:00 is bucket 0).
        case hourOfWeek = "hour-of-week"

        /// Season buckets per period.
        public var buckets: Int {
            switch self {
            case .none: return 1
            case .hourOfDay: return 24
            case .hourOfWeek: return 168
            }
        }

        /// The period the buckets repeat with (0: no season).
        public var periodMs: Int64 {
            switch self {
            case .none: return 0
            case .hourOfDay: return 86_400_000
            case .hourOfWeek: return 7 * 86_400_000
            }
        }
    }

    public var method: Method
    /// The score at or above which the window fires.
    public var threshold: Double
    /// How far back a window's history reaches: the windows starting in
    /// `[start − history, start)`. A multiple of the timespan (and of the season's period).
    public var historyMs: Int64
    public var season: Season
    /// No window fires before its group's first window is at least this old.
    public var minHistoryMs: Int64
    /// No window fires with fewer windows than this in its (season bucket's) history.
    public var minSamples: Int
    /// The spread (stddev, or 1.4826 · MAD) used is at least this, so a
    /// perfectly flat history does not divide by zero.
    public var minSpread: Double
    /// The spread is also at least this fraction of the center's magnitude:
    /// for values whose noise grows with their level (bytes, counts of a busy
    /// hour), so a 40 MB host is not judged by the absolute floor that suits
    /// a quiet one. 0 (default): off.
    public var minSpreadRatio: Double

    public static let defaultThreshold = 4.0
    public static let defaultMinSamples = 7
    public static let defaultMinSpread = 1.0
    /// Windows of history per group, at most: the values are what a group's
    /// memory is made of (4 bytes each).
    public static let maxWindowsPerGroup = 65_536

    public init(method: Method = .zscore, threshold: Double = BaselineSpec.defaultThreshold, historyMs: Int64,
                season: Season = .none, minHistoryMs: Int64, minSamples: Int = BaselineSpec.defaultMinSamples,
                minSpread: Double = BaselineSpec.defaultMinSpread, minSpreadRatio: Double = 0) {
        self.method = method; self.threshold = threshold; self.historyMs = historyMs; self.season = season
        self.minHistoryMs = minHistoryMs; self.minSamples = minSamples; self.minSpread = minSpread
        self.minSpreadRatio = minSpreadRatio
    }

    /// Windows of history per season bucket for a correlation of this timespan.
    public func samplesPerBucket(timespanMs: Int64) -> Int {
        Int(historyMs / max(1, timespanMs)) / season.buckets
    }
}
