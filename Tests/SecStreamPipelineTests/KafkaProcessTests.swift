import Foundation
import Kafka
import TestSupport
import XCTest

/// `secstream process --input kafka://...` against Tansu: the same alerts as
/// a file run, consumer groups that split and hand over partitions, and a
/// `kill -9` restart that neither loses nor duplicates an alert. Background
/// instances write `--ready-file` lines (partitions assigned, caught up with
/// the topic, checkpoint saved) that the test waits for instead of sleeping.
final class KafkaProcessTests: XCTestCase {
    private func generated(_ dir: TempDir) throws -> (lines: [Substring], reference: [String]) {
        let data = try KafkaGroupTestData(dir)
        return (data.lines, data.reference)
    }

    /// The 4-partition topic `events`, empty.
    private func createEmptyTopic(_ broker: TansuBroker) throws {
        let create = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "events", "--create-topic", "--partitions", "4"],
                                 stdin: Data())
        XCTAssertEqual(create.code, 0, create.stderr)
    }

    private func ingest(_ broker: TansuBroker, _ lines: ArraySlice<Substring>, topic: String = "events",
                        create: Bool = false) throws {
        var args = ["ingest", "--brokers", broker.bootstrap, "--topic", topic, "--key", "source.ip"]
        if create { args += ["--create-topic", "--partitions", "4"] }
        let r = try CLI.run(args, stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        XCTAssertEqual(r.code, 0, r.stderr)
    }

    /// The idle timeout stays at its 10 s default: Tansu answers a fetch with
    /// one partition's records at a time and an outdated high watermark for
    /// the others, so a short timeout can declare a partition with unread
    /// records idle and make its events late (see the report's known gaps).
    private func groupArgs(_ broker: TansuBroker, group: String, alerts: String) -> [String] {
        ["process", "--input", "kafka://\(broker.bootstrap)/events?group=\(group)", "--from-beginning",
         "--alerts", alerts, "--session-timeout", "2s", "--commit-interval", "300ms"]
    }

    private func assertSameAlerts(_ got: [String], _ reference: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, Set(got).count, "no alert written twice", file: file, line: line)
        XCTAssertEqual(Set(got), Set(reference), "missing: \(Set(reference).subtracting(got)), extra: \(Set(got).subtracting(reference))",
                       file: file, line: line)
    }

    func testKafkaRunsFindTheAlertsOfTheFileRunAndARerunOfTheGroupWritesNothingNew() throws {
        let broker = try TansuBroker()
        let dir = try TempDir()
        let (lines, reference) = try generated(dir)
        try ingest(broker, lines[...], create: true)

        // Assign mode, bounded: every partition from the beginning up to its end.
        let assign = try CLI.run(["process", "--input", "kafka://\(broker.bootstrap)/events", "--from-beginning"])
        XCTAssertEqual(assign.code, 0, assign.stderr)
        XCTAssertEqual(assign.stdoutLines.compactMap { $0.firstMatch(of: /"alert_id":"([0-9a-f]+)"/).map { String($0.1) } }.sorted(),
                       reference.sorted())

        // Group mode until idle, then the same group again: it resumes at the end.
        let alerts = dir.path("group.alerts")
        let first = try CLI.run(groupArgs(broker, group: "g", alerts: alerts) + ["--until-idle", "2s"])
        XCTAssertEqual(first.code, 0, first.stderr)
        assertSameAlerts(try alertIDs(alerts), reference)
        let again = try CLI.run(groupArgs(broker, group: "g", alerts: alerts) + ["--until-idle", "1s"])
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains(" 0 alerts"), again.stderr)
        assertSameAlerts(try alertIDs(alerts), reference)
    }

    func testTwoInstancesSplitThePartitionsAndStoppingOneHandsItsPartitionsOver() throws {
        let broker = try TansuBroker()
        let dir = try TempDir()
        let (lines, reference) = try generated(dir)
        let third = lines.count / 3
        try ingest(broker, lines[..<third], create: true)

        let a = try BackgroundCLI(groupArgs(broker, group: "split", alerts: dir.path("a.alerts")) + ["--follow"],
                                  stderrFile: dir.path("a.err"), readyFile: dir.path("a.ready"))
        try a.waitReady("A assigned all four partitions") { $0.assignedPartitions == [0, 1, 2, 3] }
        // B ends by itself once nothing new arrived for 10 s: it idles only
        // while the test hands over (a slow machine must not end it early).
        let b = try BackgroundCLI(groupArgs(broker, group: "split", alerts: dir.path("b.alerts")) + ["--until-idle", "10s"],
                                  stderrFile: dir.path("b.err"), readyFile: dir.path("b.ready"))
        // Cooperative rebalance: each ends up with two partitions.
        try b.waitReady("A and B with two partitions each") {
            try a.checkRunning("A")
            return a.readyEvents.assignedPartitions.count == 2 && $0.assignedPartitions.count == 2
        }
        let ofA = a.readyEvents.assignedPartitions, ofB = b.readyEvents.assignedPartitions
        XCTAssertEqual(Set(ofA + ofB), [0, 1, 2, 3])
        XCTAssertEqual(Self.lastPartitions(a.stderr), ofA, "the stderr line names the same partitions")
        try ingest(broker, lines[third..<(2 * third)])
        // Both have read (and processed) their partitions of the second third.
        let ends = try topicEnds(broker, "events")
        try a.waitReady("A caught up with its partitions") { $0.caughtUp(to: ends, partitions: ofA) }
        try b.waitReady("B caught up with its partitions") { $0.caughtUp(to: ends, partitions: ofB) }

        // A leaves cleanly: last checkpoint, LeaveGroup; B takes all four and rebuilds A's windows.
        a.signal(SIGTERM)
        XCTAssertEqual(a.wait(timeout: 30), 0, a.stderr)
        try b.waitReady("B assigned all four partitions") { $0.assignedPartitions == [0, 1, 2, 3] }
        try ingest(broker, lines[(2 * third)...])
        XCTAssertEqual(b.wait(timeout: 90), 0, b.stderr)

        let fromA = try alertIDs(dir.path("a.alerts")), fromB = try alertIDs(dir.path("b.alerts"))
        XCTAssertGreaterThan(fromA.count, 0, "A found alerts in its partitions")
        assertSameAlerts(fromA + fromB, reference)
    }

    func testKillNineMidStreamAndRestartGiveEveryAlertOnce() throws {
        let broker = try TansuBroker()
        let dir = try TempDir()
        let (lines, reference) = try generated(dir)
        let half = lines.count / 2
        try ingest(broker, lines[..<half], create: true)
        // The second half arrives in three pieces; the instance is killed while
        // working on the first, so the crash is mid-stream by construction (not
        // by racing a timer against a fast consumer).
        let rest = Array(lines[half...])
        let pieceSize = (rest.count + 2) / 3
        let pieces = (0..<3).map { i -> String in
            let path = dir.path("piece\(i).ndjson")
            let slice = rest[min(rest.count, i * pieceSize)..<min(rest.count, (i + 1) * pieceSize)]
            try? (slice.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let alerts = dir.path("alerts")

        // A reads the first half and goes idle (its checkpoints now resume mid-topic),
        // then is killed while the second half streams in.
        let a = try BackgroundCLI(groupArgs(broker, group: "crash", alerts: alerts) + ["--follow"], stderrFile: dir.path("a.err"),
                                  readyFile: dir.path("a.ready"))
        let firstHalf = try topicEnds(broker, "events")
        try a.waitReady("A read the first half") { $0.caughtUp(to: firstHalf, partitions: [0, 1, 2, 3]) }
        try a.waitReady("A checkpointed the first half") { events in
            firstHalf.allSatisfy { events.checkpointed[$0.key, default: -1] >= $0.value }
        }
        XCTAssertGreaterThanOrEqual(try alertIDs(alerts).count, 3, "A wrote the first half's alerts")
        let first = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "events", "--key", "source.ip", pieces[0]])
        XCTAssertEqual(first.code, 0, first.stderr)
        // Killed once it has taken in (and checkpointed) records of the first piece.
        try a.waitReady("A checkpointed records of the first piece") { events in
            events.checkpointed.contains { $0.value > firstHalf[$0.key, default: 0] }
        }
        a.signal(SIGKILL)
        a.wait(timeout: 10)
        for piece in pieces.dropFirst() {
            let r = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "events", "--key", "source.ip", piece])
            XCTAssertEqual(r.code, 0, r.stderr)
        }
        let beforeCrash = try alertIDs(alerts)
        XCTAssertLessThan(beforeCrash.count, reference.count, "killed mid-stream")

        let b = try CLI.run(groupArgs(broker, group: "crash", alerts: alerts) + ["--until-idle", "3s"])
        XCTAssertEqual(b.code, 0, b.stderr)
        let resumed = b.stderr.matches(of: /(\d+)@(\d+)/).map { Int($0.2)! }
        XCTAssertEqual(resumed.count, 4, b.stderr)
        XCTAssertTrue(resumed.allSatisfy { $0 > 0 }, "the restart resumes from the checkpoints, not from scratch: \(b.stderr)")
        XCTAssertTrue(b.stderr.contains("already written before a restart"), "it rebuilt windows and withheld their alerts: \(b.stderr)")
        let all = try alertIDs(alerts)
        XCTAssertEqual(Array(all.prefix(beforeCrash.count)), beforeCrash, "the restart appends")
        assertSameAlerts(all, reference)
    }

    /// An instance that starts at the end of the topic (no --from-beginning)
    /// and is killed before its first periodic checkpoint: the checkpoint it
    /// wrote when the partitions were assigned makes the restart resume where
    /// it started. Without it the restart would begin at the then-latest
    /// offsets and silently skip every record the dead instance had read.
    func testKilledBeforeItsFirstCheckpointTheRestartResumesWhereItStarted() throws {
        let broker = try TansuBroker()
        let dir = try TempDir()
        let (lines, reference) = try generated(dir)
        try createEmptyTopic(broker)
        let alerts = dir.path("alerts")
        let args = ["process", "--input", "kafka://\(broker.bootstrap)/events?group=late", "--alerts", alerts,
                    "--session-timeout", "2s", "--commit-interval", "1h"]
        let a = try BackgroundCLI(args + ["--follow"], stderrFile: dir.path("a.err"), readyFile: dir.path("a.ready"))
        // `assigned` comes after the checkpoint of the fresh partitions.
        try a.waitReady("A assigned all four partitions") { $0.assignedPartitions == [0, 1, 2, 3] }
        XCTAssertEqual(a.readyEvents.checkpointed, [0: 0, 1: 0, 2: 0, 3: 0], "the checkpoint at the assignment")
        try ingest(broker, lines[...])
        // It reads the 60k records; its alerts wait in the buffer for a
        // checkpoint that never comes, so they die with it.
        let ends = try topicEnds(broker, "events")
        try a.waitReady("A read every record") { $0.caughtUp(to: ends, partitions: [0, 1, 2, 3]) }
        XCTAssertEqual(a.readyEvents.filter { $0.kind == "checkpoint" }.count, 1, "no checkpoint after the first one")
        a.signal(SIGKILL)
        a.wait(timeout: 10)

        let b = try CLI.run(args + ["--until-idle", "3s"])
        XCTAssertEqual(b.code, 0, b.stderr)
        XCTAssertTrue(b.stderr.contains("(resuming 0@0 1@0 2@0 3@0)"), b.stderr)
        assertSameAlerts(try alertIDs(alerts), reference)
    }

    /// Record batches are decoded on the scan workers: a topic written in
    /// every codec (a quarter of the events each, so partitions hold batches
    /// of several codecs) gives the file run's alerts, and the group's
    /// committed offsets are every partition's end.
    func testMixedCodecTopicGivesTheFileRunsAlertsAndCommitsEveryPartitionsEnd() throws {
        let broker = try TansuBroker()
        let dir = try TempDir()
        let (lines, reference) = try generated(dir)
        try createEmptyTopic(broker)
        let quarter = (lines.count + 3) / 4
        for (i, codec) in ["lz4", "zstd", "gzip", "snappy"].enumerated() {
            let part = lines[(i * quarter)..<min(lines.count, (i + 1) * quarter)]
            let r = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "events", "--key", "source.ip",
                                 "--compression", codec], stdin: Data((part.joined(separator: "\n") + "\n").utf8))
            XCTAssertEqual(r.code, 0, r.stderr)
        }
        let alerts = dir.path("alerts")
        let run = try CLI.run(groupArgs(broker, group: "codecs", alerts: alerts) + ["--until-idle", "2s"])
        XCTAssertEqual(run.code, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("\(lines.count) events"), run.stderr)
        assertSameAlerts(try alertIDs(alerts), reference)

        // Where each partition's records end, read to the end (Tansu's
        // ListOffsets can be behind the log: not the reference here).
        let partitions = (0..<4).map { TopicPartition("events", Int32($0)) }
        let reader = KafkaConsumer(config: try KafkaConfig(bootstrap: broker.bootstrap), options: ConsumerOptions(maxWaitMs: 50))
        defer { reader.close() }
        var fromStart: [TopicPartition: Int64?] = [:]
        for tp in partitions { fromStart[tp] = 0 }
        try reader.assign(fromStart, group: "codecs")
        var records = 0
        let deadline = Date().addingTimeInterval(30)
        while !reader.isCaughtUp && Date() < deadline { records += try reader.poll(timeoutMs: 50).reduce(0) { $0 + $1.records.count } }
        XCTAssertEqual(records, lines.count)
        let ends = partitions.reduce(into: [Int32: Int64]()) { $0[$1.partition] = reader.position($1) }
        let committed = try reader.committed(partitions)
        XCTAssertEqual(committed.reduce(into: [Int32: Int64]()) { $0[$1.key.partition] = $1.value.offset }, ends,
                       "every record processed, every offset committed")
    }

    /// The partitions named by the last assignment line an instance printed.
    static func lastPartitions(_ stderr: String) -> [Int] {
        guard let m = stderr.matches(of: /partitions ([0-9,]+) \(resuming/).last else { return [] }
        return m.1.split(separator: ",").compactMap { Int($0) }
    }
}
