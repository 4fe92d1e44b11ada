import Foundation
import XCTest

/// `replay` gives the live run's alerts (same alert_ids), reads only the
/// partitions of its range and paces by event time.
final class ReplayArchiveTests: XCTestCase {
    private func liveThenReplay(lateness: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let work = try ArchiveTestFiles.temporaryDirectory("replay")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/events.ndjson"
        // Out-of-order events up to 20s late; with --lateness 30s all are on
        // time, with 5s some are dead-lettered live and never archived.
        try ArchiveTestFiles.generate(input, events: 30_000, lateFraction: 0.05, maxLateness: "20s")
        let live = try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/archive", "--lateness", lateness,
                                           "--archive-flush-bytes", "300KiB", "--alerts", work + "/live.ndjson"])
        // The archive holds the valid, on-time input lines, computed from the input alone.
        let seconds = try XCTUnwrap(Double(lateness.dropLast()))
        ArchiveTestFiles.assertSameLines(try SecStreamCLI.check(["query", work + "/archive"]).lines,
                                         try ArchiveTestFiles.expectedArchive(input: input, lateness: seconds), file: file, line: line)
        let liveIds = try ArchiveTestFiles.alertIds(file: work + "/live.ndjson")
        XCTAssertGreaterThan(liveIds.count, 10, live.stderr, file: file, line: line)
        let replay = try SecStreamCLI.check(["replay", work + "/archive", "--lateness", lateness, "--alerts", work + "/replay.ndjson"])
        XCTAssertEqual(try ArchiveTestFiles.alertIds(file: work + "/replay.ndjson"), liveIds, replay.stderr, file: file, line: line)
        XCTAssertTrue(replay.stderr.contains(" 0 late"), replay.stderr, file: file, line: line)
    }

    func testReplayGivesTheLiveAlertIdsWithEveryEventOnTime() throws {
        try liveThenReplay(lateness: "30s")
    }

    func testReplayGivesTheLiveAlertIdsWhenTheLiveRunDroppedLateEvents() throws {
        try liveThenReplay(lateness: "5s")
    }

    func testRangeSpeedAndFailOnAlert() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("replay-range")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/events.ndjson"
        try ArchiveTestFiles.generate(input, events: 12_000, malformed: 0)
        try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/archive", "--alerts", "/dev/null"])
        // Only hour 11 (2026-11-20T11:00 to 12:00): the replay reads that partition alone.
        let ranged = try SecStreamCLI.check(["replay", work + "/archive", "--from", "2026-11-20T11:00:00Z", "--to", "2026-11-20T12:00:00Z",
                                             "--alerts", "/dev/null", "--fail-on-alert"], expect: 1)
        let hour11 = try ArchiveTestFiles.lines(input).filter { $0.contains("\"@timestamp\":\"2026-11-20T11:") }.count
        XCTAssertTrue(ranged.stderr.contains("replay: 1 objects") && ranged.stderr.contains("\(hour11) events"), ranged.stderr)

        // --speed 600: two seconds of wall time for 20 minutes of event time.
        let started = Date()
        let paced = try SecStreamCLI.check(["replay", work + "/archive", "--from", "2026-11-20T11:00:00Z", "--to", "2026-11-20T11:20:00Z",
                                            "--speed", "600", "--alerts", "/dev/null"])
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 1.8, paced.stderr)
        XCTAssertTrue(try SecStreamCLI.check(["replay", work + "/archive", "--speed", "fast"], expect: 2).stderr.contains("--speed"))
    }
}
