import SecStreamCore
import SecStreamLearn

/// `process --model`, `replay --model` and `train`: the window features in
/// the event pipeline. The workers read each event's feature row in the one
/// scan (`ScanContext.windowFeatures`); on the engine thread, each event the
/// engine admits on time is counted into its group's tumbling window, and
/// after each job the windows the engine's watermark has passed are closed
/// and handed to `closed` (scored, or kept to train on). Events the engine
/// holds aside as too far in the future are not counted.
package final class PipelineWindowFeatures {
    package let aggregator: WindowFeatureAggregator
    private let closed: (ClosedWindow) throws -> Void
    package private(set) var windowsClosed = 0

    package init(spec: WindowFeatureSpec, closed: @escaping (ClosedWindow) throws -> Void) {
        aggregator = WindowFeatureAggregator(spec: spec)
        self.closed = closed
    }

    package var spec: WindowFeatureSpec { aggregator.spec }

    /// Line `line` of a job was admitted on time: its row, if it has one
    /// (`cursor` walks the job's rows, which are in line order), is counted.
    @inline(__always)
    func admitted(_ rows: EventFeatureRows, cursor: inout Int, line: Int, time: Int64, location: EventLocation) {
        guard let row = Self.row(rows, cursor: &cursor, line: line) else { return }
        aggregator.add(rows, row: row, time: time, location: location)
    }

    /// Line `line`'s row in `rows` (nil: the line has none), the cursor moved
    /// past it (the job's lines come in order, so do their rows).
    private static func row(_ rows: EventFeatureRows, cursor: inout Int, line: Int) -> Int? {
        while cursor < rows.count && Int(rows.lines[cursor]) < line { cursor += 1 }
        guard cursor < rows.count && Int(rows.lines[cursor]) == line else { return nil }
        defer { cursor += 1 }
        return cursor
    }

    /// Line `line`'s row, kept apart for an event the future gate holds
    /// (nil: the line has none); `admittedLater` counts it if it is admitted.
    func heldRow(_ rows: EventFeatureRows, cursor: inout Int, line: Int) -> EventFeatureRows? {
        Self.row(rows, cursor: &cursor, line: line).map { rows.extracting(row: $0) }
    }

    /// A held event the engine admitted on time after all: counted in its window as if it had not been held.
    func admittedLater(_ row: EventFeatureRows, time: Int64, location: EventLocation) {
        aggregator.add(row, row: 0, time: time, location: location)
    }

    /// After a job: the windows that ended at or before the watermark.
    func close(upTo watermark: Int64) throws {
        try aggregator.close(upTo: watermark) { windowsClosed += 1; try closed($0) }
    }

    /// `--max-state`: the open windows share the bound with the engine's
    /// state (its last estimate, `engineBytes`); past it they drop, fewest
    /// events first, to 80% of what the engine leaves them.
    func bound(cap: Int, engineBytes: Int) {
        guard cap > 0, aggregator.estimatedBytes &+ engineBytes > cap else { return }
        aggregator.evict(downTo: max(0, cap - engineBytes) / 10 * 8)
    }

    /// One line on stderr when `--max-state` dropped windows (nil when none).
    func evictionLine(capBytes: Int) -> String? {
        let n = aggregator.windowsEvicted
        guard n > 0 else { return nil }
        return "secstream: --max-state \(capBytes >> 20) MiB reached: \(n) model windows dropped, fewest events first; they were not scored"
    }

    /// End of input: every window.
    func closeAll() throws {
        try aggregator.closeAll { windowsClosed += 1; try closed($0) }
    }
}
