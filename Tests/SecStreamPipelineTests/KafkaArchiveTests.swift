import Foundation
import TestSupport
import XCTest

/// `secstream process --input kafka://…?group=… --archive DIR` against Tansu:
/// the archive holds every ingested valid event exactly once — after a plain
/// run, a re-run of the group, and a `kill -9` mid-stream plus restart — and
/// `replay` of it finds the alerts of the live Kafka run. Background
/// instances are followed through their `--ready-file` lines, not sleeps.
final class KafkaArchiveTests: XCTestCase {
    private var work = ""

    override func setUpWithError() throws { work = try ArchiveTestFiles.temporaryDirectory("karchive") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: work) }

    /// 20k generated events over 2 hours with about 1% malformed lines (which
    /// `ingest` dead-letters; some are not UTF-8) and none late; returns the lines.
    private func generated() throws -> [Data] {
        let path = work + "/events.ndjson"
        try SecStreamCLI.check(["generate", "--events", "20000", "--seed", "11", "--span", "2h", "--late-fraction", "0",
                                "--malformed-fraction", "0.01", "-o", path])
        return try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: 0x0a).map { Data($0) }
    }

    private func ingest(_ broker: TansuBroker, _ path: String, create: Bool) throws {
        var args = ["ingest", "--brokers", broker.bootstrap, "--topic", "events", "--key", "source.ip", path]
        if create { args += ["--create-topic", "--partitions", "4"] }
        try SecStreamCLI.check(args)
    }

    private func groupArgs(_ broker: TansuBroker, group: String) -> [String] {
        ["process", "--input", "kafka://\(broker.bootstrap)/events?group=\(group)", "--from-beginning",
         "--alerts", work + "/alerts.ndjson",
         "--session-timeout", "2s", "--commit-interval", "300ms",
         "--archive", work + "/archive", "--archive-flush-bytes", "256KiB"]
    }

    /// What the archive must hold, once each: every valid line of the
    /// input, from an independent parse of the input (not from a secstream run).
    private func expectedArchive() throws -> [String] {
        try ArchiveTestFiles.expectedArchive(input: work + "/events.ndjson")
    }

    func testGroupRunArchivesEveryValidEventOnceAndReplayFindsTheLiveAlerts() throws {
        let broker = try TansuBroker()
        let lines = try generated()
        try ingest(broker, work + "/events.ndjson", create: true)

        try SecStreamCLI.check(groupArgs(broker, group: "g") + ["--until-idle", "2s"])
        let expected = try expectedArchive()
        XCTAssertLessThan(expected.count, lines.count, "malformed lines were left out")
        XCTAssertGreaterThan(expected.count, lines.count * 95 / 100)
        ArchiveTestFiles.assertSameLines(try SecStreamCLI.check(["query", work + "/archive"]).lines, expected)
        let counted = try SecStreamCLI.check(["query", work + "/archive", "--count-by", "event.dataset", "--format", "csv"])
        XCTAssertEqual(counted.lines.dropFirst().compactMap { $0.split(separator: ",").last.flatMap { Int($0) } }.reduce(0, +),
                       expected.count)

        // The same group again resumes at the end: nothing archived twice.
        try SecStreamCLI.check(groupArgs(broker, group: "g") + ["--until-idle", "1s"])
        ArchiveTestFiles.assertSameLines(try SecStreamCLI.check(["query", work + "/archive"]).lines, expected)

        let live = try ArchiveTestFiles.alertIds(file: work + "/alerts.ndjson")
        XCTAssertGreaterThan(live.count, 5, "the data must exercise several rules")
        try SecStreamCLI.check(["replay", work + "/archive", "--alerts", work + "/replay.ndjson"])
        XCTAssertEqual(Set(try ArchiveTestFiles.alertIds(file: work + "/replay.ndjson")), Set(live))
    }

    /// A stopped (SIGTERM) group member leaves its windows open: the next
    /// owner resumes before the archived offsets, rebuilds the windows from
    /// records archived already and must not archive them again.
    func testRestartAfterAStopReprocessesArchivedRecordsWithoutArchivingThemTwice() throws {
        let broker = try TansuBroker()
        _ = try generated()
        try ingest(broker, work + "/events.ndjson", create: true)
        let a = try BackgroundCLI(groupArgs(broker, group: "stop") + ["--follow"], stderrFile: work + "/a.err",
                                  readyFile: work + "/a.ready")
        let ends = try topicEnds(broker, "events")
        try a.waitReady("A read every record") { $0.caughtUp(to: ends, partitions: [0, 1, 2, 3]) }
        try a.waitReady("A checkpointed every record") { events in ends.allSatisfy { events.checkpointed[$0.key, default: -1] >= $0.value } }
        XCTAssertGreaterThan(try FileManager.default.subpathsOfDirectory(atPath: work + "/archive").count { $0.contains(".ndjson") }, 4)
        a.signal(SIGTERM)
        XCTAssertEqual(a.wait(timeout: 30), 0, a.stderr)

        let b = try SecStreamCLI.check(groupArgs(broker, group: "stop") + ["--until-idle", "2s"])
        let resumed = b.stderr.matches(of: /(\d+)@(\d+)/).map { Int($0.2)! }
        XCTAssertEqual(resumed.count, 4, b.stderr)
        XCTAssertTrue(b.stderr.contains("already written before a restart"), "it rebuilt windows from archived records: \(b.stderr)")
        ArchiveTestFiles.assertSameLines(try SecStreamCLI.check(["query", work + "/archive"]).lines, try expectedArchive())
    }

    func testKillNineMidStreamAndRestartLeaveEveryEventOnceInTheArchive() throws {
        let broker = try TansuBroker()
        let lines = try generated()
        let half = lines.count / 2, threeQuarters = lines.count * 3 / 4
        try Data(lines[..<half].joined(separator: [0x0a]) + [0x0a]).write(to: URL(fileURLWithPath: work + "/first.ndjson"))
        try Data(lines[half..<threeQuarters].joined(separator: [0x0a]) + [0x0a]).write(to: URL(fileURLWithPath: work + "/third.ndjson"))
        try Data(lines[threeQuarters...].joined(separator: [0x0a]) + [0x0a]).write(to: URL(fileURLWithPath: work + "/last.ndjson"))
        try ingest(broker, work + "/first.ndjson", create: true)

        // A archives the first half, then the third quarter (checkpoints cut
        // objects at both ends, while the open windows keep the resume offsets
        // further back), then is killed while the last quarter streams in: the
        // restart reprocesses records archived already and must skip them.
        let a = try BackgroundCLI(groupArgs(broker, group: "crash") + ["--follow"], stderrFile: work + "/a.err",
                                  readyFile: work + "/a.ready")
        func readAndCheckpointed(_ what: String) throws -> [Int32: Int64] {
            let ends = try topicEnds(broker, "events")
            try a.waitReady("A read \(what)") { $0.caughtUp(to: ends, partitions: [0, 1, 2, 3]) }
            try a.waitReady("A checkpointed \(what)") { events in ends.allSatisfy { events.checkpointed[$0.key, default: -1] >= $0.value } }
            return ends
        }
        _ = try readAndCheckpointed("the first half")
        XCTAssertGreaterThanOrEqual(try FileManager.default.subpathsOfDirectory(atPath: work + "/archive").count { $0.contains(".ndjson") }, 4)
        try ingest(broker, work + "/third.ndjson", create: false)
        let third = try readAndCheckpointed("the third quarter")
        let producer = try BackgroundCLI(["ingest", "--brokers", broker.bootstrap, "--topic", "events", "--key", "source.ip", work + "/last.ndjson"],
                                         stderrFile: work + "/ingest.err")
        // Killed once it has taken in (and checkpointed) records of the last quarter.
        try a.waitReady("A checkpointed records of the last quarter") { events in
            events.checkpointed.contains { $0.value > third[$0.key, default: 0] }
        }
        a.signal(SIGKILL)
        a.wait(timeout: 10)
        XCTAssertEqual(producer.wait(timeout: 60), 0, producer.stderr)

        let b = try SecStreamCLI.check(groupArgs(broker, group: "crash") + ["--until-idle", "3s"])
        let resumed = b.stderr.matches(of: /(\d+)@(\d+)/).map { Int($0.2)! }
        XCTAssertEqual(resumed.count, 4, b.stderr)
        XCTAssertTrue(resumed.allSatisfy { $0 > 0 }, "the restart resumes from the checkpoints: \(b.stderr)")
        ArchiveTestFiles.assertSameLines(try SecStreamCLI.check(["query", work + "/archive"]).lines, try expectedArchive())
    }
}
