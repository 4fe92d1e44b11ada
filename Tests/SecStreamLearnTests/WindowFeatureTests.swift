import Foundation
import XCTest
import SecStreamCore
@testable import SecStreamLearn

/// Window features as the pipeline computes them: rows read from scanned
/// events, windows by event time, closed by the watermark.
final class WindowFeatureTests: XCTestCase {
    private let t0: Int64 = 1_795_132_800_000  // 2026-11-20T00:00:00Z, a window boundary

    /// Scans `lines` (JSON events) with the spec's fields and counts each at its time.
    private func feed(_ aggregator: WindowFeatureAggregator, _ events: [(Int64, String)]) {
        let schema = FieldSchema(paths: ["@timestamp"])
        let extractor = EventFeatureExtractor(spec: aggregator.spec, schema: schema)
        let scanner = FieldScanner(schema: schema)
        let slots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: scanner.fieldCount)
        defer { slots.deallocate() }
        var rows = EventFeatureRows(stride: aggregator.spec.features.count)
        for (i, (time, json)) in events.enumerated() {
            let bytes = Array(json.utf8)
            bytes.withUnsafeBytes { line in
                XCTAssertTrue(scanner.scan(line, into: slots).isOK)
                extractor.extract(EventView(line: line, slots: UnsafeBufferPointer(slots)), line: i, into: &rows)
            }
        }
        var row = 0
        for (i, (time, _)) in events.enumerated() where row < rows.count && Int(rows.lines[row]) == i {
            aggregator.add(rows, row: row, time: time, location: EventLocation(source: 0, position: Int64(i)))
            row += 1
        }
    }

    private func value(_ w: ClosedWindow, _ name: String, _ spec: WindowFeatureSpec) -> Double {
        w.features[spec.names.firstIndex(of: name)!]
    }

    /// Past `--max-state` the open windows drop fewest events first (among
    /// equals the least recently updated): the busy windows survive whole and
    /// close with their own counts; the estimate falls with what went, and a
    /// later event of a dropped group opens a new window.
    func testEvictionDropsTheWindowsWithFewestEventsFirst() {
        let spec = WindowFeatureSpec.standard(groupBy: "source.ip", windowMs: 300_000)
        let agg = WindowFeatureAggregator(spec: spec)
        var events: [(Int64, String)] = []
        for i in 0..<200 {   // a flood: 200 addresses once each
            events.append((t0 + Int64(i), #"{"source":{"ip":"198.51.100.\#(i)"},"destination":{"port":\#(i)}}"#))
        }
        for k in 0..<30 {    // two busy addresses, 30 and 15 events, in the next window
            events.append((t0 + 300_000 + Int64(k), #"{"source":{"ip":"10.0.0.1"},"destination":{"port":\#(k)}}"#))
            if k % 2 == 0 { events.append((t0 + 300_000 + Int64(k), #"{"source":{"ip":"10.0.0.2"}}"#)) }
        }
        feed(agg, events)
        XCTAssertEqual(agg.openWindows, 202)
        let full = agg.estimatedBytes
        XCTAssertGreaterThanOrEqual(full, 202 * agg.bytesPerWindow)
        let dropped = agg.evict(downTo: full / 50)
        XCTAssertEqual(dropped, 200 - (agg.openWindows - 2), "only flood windows went")
        XCTAssertEqual(agg.windowsEvicted, dropped)
        XCTAssertLessThanOrEqual(agg.estimatedBytes, full / 50)
        XCTAssertEqual(agg.evict(downTo: agg.estimatedBytes), 0, "under the bound: nothing")
        feed(agg, [(t0 + 199, #"{"source":{"ip":"198.51.100.0"}}"#)])
        var closed: [ClosedWindow] = []
        agg.closeAll { closed.append($0) }
        let busy = closed.filter { $0.start == t0 + 300_000 }
        XCTAssertEqual(busy.map { value($0, "events", spec) }.sorted(), [15, 30])
        XCTAssertEqual(busy.map { value($0, "distinct_destination_port", spec) }.sorted(), [0, 30])
        XCTAssertTrue(closed.contains { String(decoding: $0.group, as: UTF8.self) == "198.51.100.0" && value($0, "events", spec) == 1 })
        XCTAssertEqual(agg.openWindows, 0)
        XCTAssertEqual(agg.estimatedBytes, 0)
    }

    /// An event at the window's start and one a millisecond before its end
    /// count in it; one at its end opens the next. The watermark at end - 1
    /// closes nothing; at the end it closes exactly that window.
    func testWindowEdgesAndWatermarkClosing() {
        let spec = WindowFeatureSpec.standard(groupBy: "source.ip", windowMs: 300_000)
        let agg = WindowFeatureAggregator(spec: spec)
        let e = #"{"source":{"ip":"10.0.0.1"},"destination":{"port":22}}"#
        feed(agg, [(t0, e), (t0 + 299_999, e), (t0 + 300_000, e)])
        var closed: [ClosedWindow] = []
        agg.close(upTo: t0 + 299_999) { closed.append($0) }
        XCTAssertEqual(closed.count, 0)
        agg.close(upTo: t0 + 300_000) { closed.append($0) }
        XCTAssertEqual(closed.count, 1)
        XCTAssertEqual(closed[0].start, t0)
        XCTAssertEqual(closed[0].end, t0 + 300_000)
        XCTAssertEqual(value(closed[0], "events", spec), 2)
        XCTAssertEqual(closed[0].firstSeen, t0)
        XCTAssertEqual(closed[0].lastSeen, t0 + 299_999)
        XCTAssertEqual(agg.openWindows, 1)
        // An event for the closed window (only `--lateness 0` admits one) is not counted again.
        feed(agg, [(t0 + 10, e)])
        XCTAssertEqual(agg.eventsAfterClose, 1)
        agg.closeAll { closed.append($0) }
        XCTAssertEqual(closed.count, 2)
        XCTAssertEqual(value(closed[1], "events", spec), 1)
        XCTAssertEqual(closed[1].start, t0 + 300_000)
        XCTAssertEqual(agg.openWindows, 0)
    }

    /// Counts, distinct counts, sums, the failure ratio (of the events that
    /// have an outcome) and the hour of day, per group; groups come out in
    /// the same order whatever order they came in; an event without the group field counts nowhere.
    func testFeatureValuesPerGroup() {
        let spec = WindowFeatureSpec.standard(groupBy: "source.ip", windowMs: 300_000)
        let agg = WindowFeatureAggregator(spec: spec)
        let at = t0 + 6 * 3_600_000  // 06:00 UTC
        feed(agg, [
            (at, #"{"source":{"ip":"10.0.0.9"},"event":{"outcome":"failure"},"user":{"name":"root"}}"#),
            (at + 1, #"{"source":{"ip":"10.0.0.9"},"event":{"outcome":"failure"},"user":{"name":"admin"}}"#),
            (at + 2, #"{"source":{"ip":"10.0.0.9"},"event":{"outcome":"success"},"user":{"name":"root"}}"#),
            (at + 3, #"{"source":{"ip":"10.0.0.9","bytes":100},"destination":{"ip":"10.1.0.1","port":22,"bytes":7}}"#),
            (at + 4, #"{"source":{"ip":"10.0.0.1","bytes":2.5},"destination":{"ip":"10.1.0.1","port":22}}"#),
            (at + 5, #"{"source":{"ip":"10.0.0.1","bytes":"x"},"destination":{"ip":"10.1.0.2","port":23}}"#),
            (at + 6, #"{"user":{"name":"nobody"}}"#),
        ])
        var closed: [ClosedWindow] = []
        agg.closeAll { closed.append($0) }
        XCTAssertEqual(Set(closed.map(\.groupValue)), ["10.0.0.1", "10.0.0.9"])
        let a = closed.first { $0.groupValue == "10.0.0.1" }!, b = closed.first { $0.groupValue == "10.0.0.9" }!
        XCTAssertEqual(value(a, "events", spec), 2)
        XCTAssertEqual(value(a, "distinct_destination_port", spec), 2)
        XCTAssertEqual(value(a, "distinct_destination_ip", spec), 2)
        XCTAssertEqual(value(a, "source_bytes_sum", spec), 2.5)  // a string is not a number
        XCTAssertEqual(value(a, "failure_ratio", spec), 0)  // no event with an outcome
        XCTAssertEqual(value(b, "events", spec), 4)
        XCTAssertEqual(value(b, "auth_failures", spec), 2)
        XCTAssertEqual(value(b, "failure_ratio", spec), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(value(b, "distinct_user_name", spec), 2)
        XCTAssertEqual(value(b, "source_bytes_sum", spec), 100)
        XCTAssertEqual(value(b, "destination_bytes_sum", spec), 7)
        XCTAssertEqual(value(b, "hour_sin", spec), 1, accuracy: 1e-12)  // 06:00 is a quarter turn
        XCTAssertEqual(value(b, "hour_cos", spec), 0, accuracy: 1e-12)
        XCTAssertEqual(agg.eventsCounted, 6)
    }

    /// Closed windows come out in one order (start, group hash, group bytes),
    /// not arrival order: a replay in event-time order gives a live run's order.
    func testCloseOrderDoesNotDependOnArrivalOrder() {
        let spec = WindowFeatureSpec.standard(groupBy: "source.ip", windowMs: 300_000)
        let events = (0..<40).map { i in (t0 + Int64(i % 7) * 1000, #"{"source":{"ip":"10.0.0.\#(i % 13)"}}"#) }
        func order(_ events: [(Int64, String)]) -> [String] {
            let agg = WindowFeatureAggregator(spec: spec)
            feed(agg, events)
            var out: [String] = []
            agg.closeAll { out.append($0.groupValue + "@\($0.start):\($0.features[0])") }
            return out
        }
        let forward = order(events)
        XCTAssertEqual(forward.count, 13)
        XCTAssertEqual(forward, order(events.reversed()))
        XCTAssertEqual(forward, order(events.sorted { $0.1 < $1.1 }))
    }

    /// Distinct counts stay exact past the values kept in place (8) and
    /// after a slot is reused for another window.
    func testDistinctCountsPastTheInlineValues() {
        let spec = WindowFeatureSpec.standard(groupBy: "source.ip", windowMs: 60_000)
        let agg = WindowFeatureAggregator(spec: spec)
        let ports = [1, 2, 3, 2, 4, 5, 6, 7, 8, 8, 9, 10, 1, 11, 12]
        feed(agg, ports.map { (t0, #"{"source":{"ip":"a"},"destination":{"port":\#($0)}}"#) })
        var closed: [ClosedWindow] = []
        agg.close(upTo: t0 + 60_000) { closed.append($0) }
        XCTAssertEqual(value(closed[0], "distinct_destination_port", spec), 12)
        XCTAssertEqual(value(closed[0], "events", spec), 15)
        feed(agg, [(t0 + 60_000, #"{"source":{"ip":"b"},"destination":{"port":1}}"#),
                   (t0 + 60_001, #"{"source":{"ip":"b"},"destination":{"port":1}}"#)])
        agg.closeAll { closed.append($0) }
        XCTAssertEqual(value(closed[1], "distinct_destination_port", spec), 1)
        XCTAssertEqual(value(closed[1], "events", spec), 2)
    }

    /// Windows before 1970 start on the boundary below the time, not above.
    func testNegativeTimesFloorToTheirWindow() {
        let agg = WindowFeatureAggregator(spec: .standard(groupBy: "source.ip", windowMs: 60_000))
        XCTAssertEqual(agg.windowStart(-1), -60_000)
        XCTAssertEqual(agg.windowStart(-60_000), -60_000)
        XCTAssertEqual(agg.windowStart(59_999), 0)
    }

    /// The spec goes into the model file as JSON and comes back equal; a
    /// broken one is refused saying what is wrong.
    func testSpecRoundTripAndErrors() throws {
        let spec = WindowFeatureSpec.standard(groupBy: "user.name", windowMs: 120_000)
        XCTAssertFalse(spec.names.contains("distinct_user_name"))  // the group's own field is not a feature
        XCTAssertEqual(try WindowFeatureSpec.parse(spec.json()), spec)
        XCTAssertEqual(spec.json(), try WindowFeatureSpec.parse(spec.json()).json())
        // Rule features (`train --rules`): named after the rule, by id when the name is missing or taken.
        let ruled = spec.addingRules([(id: "r-1", name: "dumper"), (id: "r-2", name: nil), (id: "r-3", name: "dumper")])
        XCTAssertEqual(Array(ruled.names.suffix(3)), ["rule_dumper", "rule_r-2", "rule_r-3"])
        XCTAssertEqual(ruled.features.last?.kind, .ruleMatches(rule: "r-3"))
        XCTAssertEqual(try WindowFeatureSpec.parse(ruled.json()), ruled)
        XCTAssertThrowsError(try WindowFeatureSpec.parse(#"{"version":1,"group_by":"a","window_ms":1000,"features":[{"name":"x","kind":"rule_matches"}]}"#)) {
            XCTAssertTrue("\($0)".contains("(x) has no rule"), "\($0)")
        }
        XCTAssertThrowsError(try WindowFeatureSpec.parse("{}")) { XCTAssertTrue("\($0)".contains("no version")) }
        XCTAssertThrowsError(try WindowFeatureSpec.parse(#"{"version":1,"group_by":"a","window_ms":1000,"features":[{"name":"x","kind":"median"}]}"#)) {
            XCTAssertTrue("\($0)".contains("unknown kind 'median'"), "\($0)")
        }
    }
}
