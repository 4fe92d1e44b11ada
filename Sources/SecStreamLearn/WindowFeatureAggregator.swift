import Foundation
import SecStreamCore

/// Per group, per tumbling event-time window, the running aggregates of the
/// spec's features; on the engine thread. Events come in admitted on time
/// (never behind the engine's watermark), so a window whose end the
/// watermark has passed gets no more events: `close(upTo:)` hands it out.
/// Closed windows come out by window start, then group bytes: the same input
/// gives the same windows in the same order, whatever the hashing.
public final class WindowFeatureAggregator {
    public let spec: WindowFeatureSpec
    private let kinds: [FeatureDefinition.Kind]
    private var open: [Int64: [[UInt8]: OpenWindow]] = [:]
    /// The starts in `open`, ascending (few: the windows the lateness keeps open).
    private var starts: [Int64] = []
    public private(set) var eventsCounted = 0

    struct OpenWindow {
        /// Per feature: count, matches, sum (ratio: matches).
        var totals: [Double]
        /// Per feature: ratio denominators (events with the field).
        var present: [Double]
        /// Per feature: distinct value hashes (empty sets for the others).
        var distinct: [Set<UInt64>]
        var firstSeen: Int64
        var lastSeen: Int64
        var samples: [EventLocation]
    }

    public init(spec: WindowFeatureSpec) {
        self.spec = spec
        kinds = spec.features.map(\.kind)
    }

    /// Open windows now (for state accounting and tests).
    public var openWindows: Int { open.values.reduce(0) { $0 + $1.count } }

    /// The window start of event time `t` (floor, also before 1970).
    @inline(__always)
    public func windowStart(_ t: Int64) -> Int64 {
        let w = spec.windowMs
        let r = t % w
        return r < 0 ? t - r - w : t - r
    }

    /// Counts row `row` of `rows` (an event at `time`, read from `location`).
    public func add(_ rows: EventFeatureRows, row: Int, time: Int64, location: EventLocation) {
        let start = windowStart(time)
        let group = Array(rows.groupBytes[rows.groupStarts[row]..<rows.groupStarts[row + 1]])
        let base = row * rows.stride
        eventsCounted += 1
        if open[start] == nil {
            open[start] = [:]
            let at = starts.firstIndex(where: { $0 > start }) ?? starts.count
            starts.insert(start, at: at)
        }
        let n = kinds.count
        var window = open[start]![group] ?? OpenWindow(
            totals: Array(repeating: 0, count: n), present: Array(repeating: 0, count: n),
            distinct: Array(repeating: [], count: n), firstSeen: time, lastSeen: time, samples: [])
        open[start]![group] = nil
        for i in 0..<n {
            let cell = rows.cells[base + i]
            switch kinds[i] {
            case .count: window.totals[i] += 1
            case .countWhere: window.totals[i] += Double(cell)
            case .ratioWhere:
                if cell != 0 { window.present[i] += 1 }
                if cell == 2 { window.totals[i] += 1 }
            case .distinct: if cell != 0 { window.distinct[i].insert(cell) }
            case .sum: window.totals[i] += Double(bitPattern: cell)
            case .hourSin, .hourCos: break
            }
        }
        window.firstSeen = min(window.firstSeen, time)
        window.lastSeen = max(window.lastSeen, time)
        if window.samples.count < 5 { window.samples.append(location) }
        open[start]![group] = window
    }

    /// Closes every window whose end is at or before `watermark`, in order.
    public func close(upTo watermark: Int64, _ body: (ClosedWindow) throws -> Void) rethrows {
        while let first = starts.first, first + spec.windowMs <= watermark {
            try closeStart(first, body)
        }
    }

    /// End of input: closes every window, in order.
    public func closeAll(_ body: (ClosedWindow) throws -> Void) rethrows {
        while let first = starts.first { try closeStart(first, body) }
    }

    private func closeStart(_ start: Int64, _ body: (ClosedWindow) throws -> Void) rethrows {
        starts.removeFirst()
        let groups = open.removeValue(forKey: start) ?? [:]
        for group in groups.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            try body(closed(group, start, groups[group]!))
        }
    }

    private func closed(_ group: [UInt8], _ start: Int64, _ w: OpenWindow) -> ClosedWindow {
        // Hour of day (UTC) of the window start, on the unit circle.
        let dayMs: Int64 = 86_400_000
        let hour = Double(((start % dayMs) + dayMs) % dayMs / 3_600_000)
        let angle = 2 * Double.pi * hour / 24
        var features = [Double](repeating: 0, count: kinds.count)
        for i in 0..<kinds.count {
            switch kinds[i] {
            case .count, .countWhere, .sum: features[i] = w.totals[i]
            case .ratioWhere: features[i] = w.present[i] > 0 ? w.totals[i] / w.present[i] : 0
            case .distinct: features[i] = Double(w.distinct[i].count)
            case .hourSin: features[i] = sin(angle)
            case .hourCos: features[i] = cos(angle)
            }
        }
        return ClosedWindow(group: group, start: start, end: start + spec.windowMs, features: features,
                            firstSeen: w.firstSeen, lastSeen: w.lastSeen, samples: w.samples)
    }
}
