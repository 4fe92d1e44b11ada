import Foundation
import XCTest
@testable import SecStreamLearn

final class WindowLabelsTests: XCTestCase {
    private func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "labels-\(UUID().uuidString).ndjson"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// A truth record labels the windows its span overlaps: the one holding
    /// its start, the one holding its end, none before or after; records of
    /// another group-by field are left out.
    func testTruthSpansLabelOverlappingWindows() throws {
        let path = try write("""
        {"scenario":"port-scan","rule":"r","group":{"source.ip":"203.0.113.7"},"window":{"start":"2026-11-20T00:04:00.000Z","end":"2026-11-20T00:06:00.000Z"},"events":50}
        {"scenario":"x","rule":"r","group":{"user.name":"bob"},"window":{"start":"2026-11-20T00:04:00.000Z","end":"2026-11-20T00:06:00.000Z"},"events":5}

        """)
        let labels = try WindowLabels.load(path: path, format: .truth, groupBy: "source.ip")
        XCTAssertEqual(labels.count, 1)
        let t0: Int64 = 1_795_132_800_000, w: Int64 = 300_000
        XCTAssertTrue(labels.isPositive(group: "203.0.113.7", start: t0, end: t0 + w))
        XCTAssertTrue(labels.isPositive(group: "203.0.113.7", start: t0 + w, end: t0 + 2 * w))
        XCTAssertFalse(labels.isPositive(group: "203.0.113.7", start: t0 + 2 * w, end: t0 + 3 * w))
        XCTAssertFalse(labels.isPositive(group: "203.0.113.8", start: t0, end: t0 + w))
        // A span ending exactly at a window's start overlaps it (the end event is in it); one ending before does not.
        let edge = WindowLabels(spans: [.init(group: "g", start: t0 - 10, end: t0)])
        XCTAssertTrue(edge.isPositive(group: "g", start: t0, end: t0 + w))
        XCTAssertFalse(edge.isPositive(group: "g", start: t0 + 1, end: t0 + w))
    }

    /// A learned scenario's record names its entity by several fields (a
    /// slow brute force: the account and the attacker's address): it labels
    /// by whichever is the group-by field.
    func testTruthGroupOfSeveralFields() throws {
        let path = try write("""
        {"scenario":"slow-brute-force","group":{"user.name":"bmiller","source.ip":"100.92.147.138"},"window":{"start":"2026-11-20T00:04:00Z","end":"2026-11-20T03:06:00Z"},"events":67}
        {"scenario":"off-hours-exfiltration","group":{"source.ip":"10.1.0.78"},"window":{"start":"2026-11-20T01:23:02Z","end":"2026-11-20T02:03:47Z"},"events":10}
        """)
        let byIP = try WindowLabels.load(path: path, format: .truth, groupBy: "source.ip")
        XCTAssertEqual(byIP.count, 2)
        XCTAssertTrue(byIP.isPositive(group: "100.92.147.138", start: 1_795_132_800_000, end: 1_795_132_800_000 + 3_600_000))
        let byUser = try WindowLabels.load(path: path, format: .truth, groupBy: "user.name")
        XCTAssertEqual(byUser.count, 1)
        XCTAssertFalse(byUser.isPositive(group: "100.92.147.138", start: 1_795_132_800_000, end: 1_795_132_800_000 + 3_600_000))
        XCTAssertTrue(byUser.isPositive(group: "bmiller", start: 1_795_132_800_000, end: 1_795_132_800_000 + 3_600_000))
        let bad = try write(#"{"group":{},"window":{"start":"2026-11-20T00:04:00Z","end":"2026-11-20T00:06:00Z"}}"#)
        XCTAssertThrowsError(try WindowLabels.load(path: bad, format: .truth, groupBy: "source.ip")) {
            XCTAssertEqual("\($0)", "\(bad):1: no \"group\" object of string fields")
        }
    }

    /// An analyst's labels file: group string, start, end (and an optional field).
    func testLabelsFile() throws {
        let path = try write("""
        {"group":"alice","start":"2026-11-20T10:00:00Z","end":"2026-11-20T10:30:00Z"}
        {"group":"10.0.0.1","field":"source.ip","start":"2026-11-20T10:00:00Z","end":"2026-11-20T10:30:00Z"}
        """)
        let labels = try WindowLabels.load(path: path, format: .labels, groupBy: "user.name")
        XCTAssertEqual(labels.count, 1)
        XCTAssertTrue(labels.isPositive(group: "alice", start: 1_795_168_800_000, end: 1_795_168_800_000 + 60_000))
    }

    /// A bad line is named by file and line; labels of no use are an error too.
    func testErrorsNameFileAndLine() throws {
        let bad = try write("{\"group\":\"a\",\"start\":\"2026-11-20T10:00:00Z\",\"end\":\"2026-11-20T10:30:00Z\"}\n{\"group\":\"b\",\"start\":\"yesterday\",\"end\":\"2026-11-20T10:30:00Z\"}\n")
        XCTAssertThrowsError(try WindowLabels.load(path: bad, format: .labels, groupBy: "user.name")) {
            XCTAssertEqual("\($0)", "\(bad):2: no RFC 3339 start")
        }
        let notJSON = try write("{\"group\":\"a\"\n")
        XCTAssertThrowsError(try WindowLabels.load(path: notJSON, format: .labels, groupBy: "user.name")) {
            XCTAssertEqual("\($0)", "\(notJSON):1: not a JSON object")
        }
        let other = try write(#"{"scenario":"x","rule":"r","group":{"user.name":"bob"},"window":{"start":"2026-11-20T00:04:00Z","end":"2026-11-20T00:06:00Z"},"events":5}"#)
        XCTAssertThrowsError(try WindowLabels.load(path: other, format: .truth, groupBy: "source.ip")) {
            XCTAssertEqual("\($0)", "\(other): no labels for the group-by field source.ip (it labels user.name)")
        }
    }
}
