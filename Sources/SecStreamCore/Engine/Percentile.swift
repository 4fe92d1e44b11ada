/// The percentile value_percentile and value_median compare: linear
/// interpolation between the closest ranks (numpy's default, Elasticsearch's
/// and ES|QL's PERCENTILE), so a rule means the same here as in the SIEM.
enum Percentile {
    static func linear(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let position = max(0, min(100, p)) / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
