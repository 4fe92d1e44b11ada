import Foundation
import XCTest

/// `process --follow` / `--until-idle` on files, through the real binary
/// while the test writes, rotates and truncates the files it follows. The
/// test waits for the run's `--ready-file` lines (the file is open, every byte
/// written so far was read and processed) instead of sleeping, and ends a
/// `--follow` run with SIGTERM, which reads every file to its end and closes
/// the windows as the end of a plain file does. So no step depends on how
/// fast a loaded machine runs either side.
final class FileFollowTests: XCTestCase {
    /// Failed logins from one address, one per second from `minute`:`second0`:
    /// the built-in brute-force rule (>= 20 per source.ip, 1-minute tumbling)
    /// fires once 20 of them fall in one minute.
    private func failedLogins(ip: String = "198.51.100.9", count: Int, minute: Int, second0: Int = 0) -> [String] {
        (0..<count).map { i in
            #"{"@timestamp":"2026-11-20T10:\#(String(format: "%02d", minute)):\#(String(format: "%02d", second0 + i)).000Z","event":{"dataset":"auth","category":"authentication","outcome":"failure"},"user":{"name":"root"},"source":{"ip":"\#(ip)"},"host":{"name":"bastion"}}"#
        }
    }

    private func dnsEvent(minute: Int, second: Int = 0) -> String {
        #"{"@timestamp":"2026-11-20T10:\#(String(format: "%02d", minute)):\#(String(format: "%02d", second)).000Z","event":{"dataset":"dns"},"dns":{"question":{"name":"a.example"}},"source":{"ip":"10.0.0.1"}}"#
    }

    private func generated(_ dir: TempDir, events: Int, seed: Int, extra: [String] = []) throws -> Data {
        let path = dir.path("generated-\(seed).ndjson")
        let g = try CLI.run(["generate", "--events", String(events), "--seed", String(seed), "-o", path] + extra)
        XCTAssertEqual(g.code, 0, g.stderr)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    private func summaryCounts(_ stderr: String) -> String? {
        guard let r = stderr.range(of: #"\d+ events, \d+ malformed, \d+ late"#, options: .regularExpression) else { return nil }
        return String(stderr[r])
    }

    func testAppendedWritesGiveTheAlertsAndDeadLettersOfAPlainRun() throws {
        let dir = try TempDir()
        let data = try generated(dir, events: 20000, seed: 5, extra: ["--malformed-fraction", "0.002"])
        let input = dir.path("live.ndjson")
        XCTAssertTrue(FileManager.default.createFile(atPath: input, contents: nil))
        let run = try BackgroundCLI(["process", "--input", input, "--follow", "--alerts", dir.path("live.alerts"),
                                     "--dead-letter", dir.path("live.dl")], stderrFile: dir.path("live.err"),
                                    readyFile: dir.path("live.ready"))
        try run.waitReady("following \(input)") { $0.following(input) == 1 }
        // Seven writes at arbitrary byte offsets: most end mid-line, so the
        // reader sees partial lines that are completed by the next write
        // (each write is read before the next is made).
        let cuts = [0, 1, 100_003, 100_050, 1_500_777, 2_600_001, 4_000_000, data.count]
        for (a, b) in zip(cuts, cuts.dropFirst()) {
            try append(data.subdata(in: a..<b), to: input)
            try run.waitReady("\(input) read to byte \(b)") { $0.caughtUp(input, offset: b) }
        }
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 60), 0, run.stderr)

        let plain = try CLI.run(["process", "--input", input, "--alerts", dir.path("plain.alerts"), "--dead-letter", dir.path("plain.dl")])
        XCTAssertEqual(plain.code, 0, plain.stderr)
        let alerts = try String(contentsOfFile: dir.path("plain.alerts"), encoding: .utf8)
        XCTAssertFalse(alerts.isEmpty)
        XCTAssertEqual(try String(contentsOfFile: dir.path("live.alerts"), encoding: .utf8), alerts,
                       "byte-identical alerts, samples' file:line included")
        let dead = try readNDJSON(dir.path("live.dl"))
        XCTAssertGreaterThan(dead.count, 10)
        XCTAssertEqual(dead.map { $0["line"] as! Int }, try readNDJSON(dir.path("plain.dl")).map { $0["line"] as! Int },
                       "line numbers continue across appends")
        XCTAssertEqual(summaryCounts(run.stderr), summaryCounts(plain.stderr), run.stderr)
    }

    func testRotationReadsBothGenerationsExactlyOnce() throws {
        let dir = try TempDir()
        // 00:00-00:30, then 00:31-01:01: both generations archive into hour 00.
        let first = try generated(dir, events: 10000, seed: 11)
        let second = try generated(dir, events: 10000, seed: 12, extra: ["--start", "2026-11-20T00:31:00Z"])
        let input = dir.path("rotating.ndjson")
        // The first generation ends mid-line when the file is rotated away:
        // the rest of that line goes to the old file, which is read to its end.
        let cut = first.count - 57
        try append(first.subdata(in: 0..<cut), to: input)
        let run = try BackgroundCLI(["process", "--input", input, "--follow", "--alerts", dir.path("live.alerts"),
                                     "--archive", dir.path("archive"), "--archive-flush-bytes", "64KiB"], stderrFile: dir.path("live.err"),
                                    readyFile: dir.path("live.ready"))
        try run.waitReady("\(input) read to byte \(cut)") { $0.caughtUp(input, offset: cut) }
        try FileManager.default.moveItem(atPath: input, toPath: dir.path("rotating.ndjson.1"))
        try append(first.subdata(in: cut..<first.count), to: dir.path("rotating.ndjson.1"))
        try append(second.subdata(in: 0..<1000), to: input)
        // The rotation is detected (whenever the reader looks: no deadline
        // but the generous one of the wait) and the new file followed.
        try run.waitReady("the new \(input) followed and read to byte 1000") { $0.caughtUp(input, offset: 1000, afterFollowing: 2) }
        try append(second.subdata(in: 1000..<second.count), to: input)
        try run.waitReady("the new \(input) read to its end") { $0.caughtUp(input, offset: second.count, afterFollowing: 2) }
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 60), 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("\(input) disappeared") || run.stderr.contains("\(input) was replaced"), run.stderr)

        let expected = try assertSameAsPlainRun(over: first + second, dir, run)
        XCTAssertTrue(run.stderr.contains("20000 lines"), run.stderr)

        // The new file's lines restart at 1; its archive objects get their own
        // names, so none overwrites an object of the old file.
        let replay = try CLI.run(["replay", dir.path("archive"), "--alerts", dir.path("replay.alerts")])
        XCTAssertEqual(replay.code, 0, replay.stderr)
        XCTAssertTrue(replay.stderr.contains("20000 events"), replay.stderr)
        XCTAssertEqual(try alertIDs(dir.path("replay.alerts")), expected)
    }

    /// A plain run over `bytes` (both generations of a followed file, joined)
    /// gives the alerts and the summary counts the follow run gave; returns the alert ids.
    @discardableResult
    private func assertSameAsPlainRun(over bytes: Data, _ dir: TempDir, _ run: BackgroundCLI,
                                      file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        try bytes.write(to: URL(fileURLWithPath: dir.path("both.ndjson")))
        let plain = try CLI.run(["process", "--input", dir.path("both.ndjson"), "--alerts", dir.path("plain.alerts")])
        XCTAssertEqual(plain.code, 0, plain.stderr, file: file, line: line)
        let expected = try alertIDs(dir.path("plain.alerts"))
        XCTAssertGreaterThan(expected.count, 2, file: file, line: line)
        XCTAssertEqual(try alertIDs(dir.path("live.alerts")), expected, file: file, line: line)
        XCTAssertEqual(summaryCounts(run.stderr), summaryCounts(plain.stderr), run.stderr, file: file, line: line)
        return expected
    }

    func testTruncationRereadsTheFileFromItsStart() throws {
        let dir = try TempDir()
        let first = try generated(dir, events: 10000, seed: 21)
        let second = try generated(dir, events: 10000, seed: 22, extra: ["--start", "2026-11-20T14:00:00Z"])
        let input = dir.path("truncated.ndjson")
        try append(first, to: input)
        let run = try BackgroundCLI(["process", "--input", input, "--follow", "--alerts", dir.path("live.alerts")],
                                    stderrFile: dir.path("live.err"), readyFile: dir.path("live.ready"))
        try run.waitReady("the first generation read") { $0.caughtUp(input, offset: first.count) }
        let fd = open(input, O_WRONLY | O_TRUNC)
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        // The truncation must be seen before the file grows past the read
        // position again (as for tail -F): the reader reopens the file.
        try run.waitReady("the truncation noticed") { $0.following(input) == 2 }
        try append(second, to: input)
        try run.waitReady("the second generation read") { $0.caughtUp(input, offset: second.count, afterFollowing: 2) }
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 60), 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("\(input) was truncated"), run.stderr)

        try assertSameAsPlainRun(over: first + second, dir, run)
    }

    /// File A keeps delivering, file B goes quiet after one early event. B
    /// holds the watermark back (so A's brute force cannot be evaluated) until
    /// it has been idle for `--idle-timeout`; then A's alert is written while
    /// the run goes on. With one input for both files the alert would come at
    /// once; without idle handling, only at the end of the run.
    func testQuietFileStopsHoldingBackTheWatermarkAfterTheIdleTimeout() throws {
        let dir = try TempDir()
        let a = dir.path("a.ndjson"), b = dir.path("b.ndjson"), alerts = dir.path("alerts.ndjson")
        try append(Data((failedLogins(count: 25, minute: 5).joined(separator: "\n") + "\n").utf8), to: a)
        try append(Data((dnsEvent(minute: 0) + "\n").utf8), to: b)
        let started = Date()
        let run = try BackgroundCLI(["process", "--input", a, "--input", b, "--idle-timeout", "2s", "--follow",
                                     "--alerts", alerts], stderrFile: dir.path("err"), readyFile: dir.path("ready"))
        // A's event time moves on, 15 s per write, one write every 250 ms
        // (the pace at which A keeps delivering while B stays quiet), until
        // the alert is there. After each write the test waits until the run
        // has read and processed it, so "no alert yet" is not a race.
        var alertAt: TimeInterval?
        for i in 0..<200 where alertAt == nil {
            try append(Data((dnsEvent(minute: 6 + i / 4, second: (i % 4) * 15) + "\n").utf8), to: a)
            let size = Int((try FileManager.default.attributesOfItem(atPath: a)[.size] as? NSNumber)?.intValue ?? 0)
            try run.waitReady("write \(i + 1) to \(a) processed") { $0.caughtUp(a, offset: size) }
            if try alertIDs(alerts).count > 0 {
                alertAt = Date().timeIntervalSince(started)
            } else {
                usleep(250_000)
            }
        }
        let at = try XCTUnwrap(alertAt, "the active file's alert was written while the run went on")
        // A lower bound only: a slow machine makes the alert later, never earlier.
        XCTAssertGreaterThanOrEqual(at, 2.0, "not before the quiet file had been idle for --idle-timeout")
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 60), 0, run.stderr)
        XCTAssertEqual(try alertIDs(alerts).count, 1)
    }

    /// `--until-idle` ends a run by itself once nothing new arrived for that
    /// long, with the alerts of a plain run. (Everything is written before
    /// the run starts, so how long the machine takes cannot cut it short.)
    func testUntilIdleEndsAFollowOnceTheFilesStayQuiet() throws {
        let dir = try TempDir()
        let data = try generated(dir, events: 5000, seed: 9)
        let input = dir.path("quiet.ndjson")
        try append(data, to: input)
        let live = try CLI.run(["process", "--input", input, "--until-idle", "1s", "--alerts", dir.path("live.alerts")])
        XCTAssertEqual(live.code, 0, live.stderr)
        let plain = try CLI.run(["process", "--input", input, "--alerts", dir.path("plain.alerts")])
        XCTAssertEqual(plain.code, 0, plain.stderr)
        XCTAssertGreaterThan(try alertIDs(dir.path("plain.alerts")).count, 0)
        XCTAssertEqual(try String(contentsOfFile: dir.path("live.alerts"), encoding: .utf8),
                       try String(contentsOfFile: dir.path("plain.alerts"), encoding: .utf8))
        XCTAssertEqual(summaryCounts(live.stderr), summaryCounts(plain.stderr), live.stderr)
    }

    func testSigtermEndsAFollowCleanlyWithTheOpenWindowsAlerts() throws {
        let dir = try TempDir()
        let input = dir.path("later.ndjson"), alerts = dir.path("alerts.ndjson")
        let run = try BackgroundCLI(["process", "--input", input, "--follow", "--alerts", alerts], stderrFile: dir.path("err"),
                                    readyFile: dir.path("ready"))
        try run.waitReady("waiting for \(input)") { $0.contains { $0.kind == "waiting" && $0.path == input } }
        XCTAssertTrue(run.stderr.contains("\(input) does not exist (yet); waiting for it"), run.stderr)
        // 25 failed logins within 25 s: under the default 30 s lateness the
        // window is still open when the run is stopped. The last line has no
        // newline yet: it is processed as the final line at the end.
        let lines = failedLogins(count: 25, minute: 5)
        let bytes = Data((lines.dropLast().joined(separator: "\n") + "\n" + lines.last!).utf8)
        try append(bytes, to: input)
        // Read to its end and processed, alerts flushed: nothing is pending that could still make an alert appear.
        try run.waitReady("\(input) appeared and read") { $0.caughtUp(input, offset: bytes.count) }
        XCTAssertTrue(run.stderr.contains("\(input) appeared"), run.stderr)
        // The documented line format (man secstream-process, READINESS).
        let readyLines = try String(contentsOfFile: dir.path("ready"), encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(readyLines.first, #"{"ready":"waiting","path":"\#(input)"}"#)
        XCTAssertTrue(readyLines.contains(#"{"ready":"following","path":"\#(input)"}"#), "\(readyLines)")
        XCTAssertEqual(readyLines.last, #"{"ready":"caught-up","files":[{"path":"\#(input)","offset":\#(bytes.count)}]}"#)
        XCTAssertTrue(run.process.isRunning, "--follow keeps running at the end of the file")
        XCTAssertEqual(try alertIDs(alerts).count, 0, "the window is still open")
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 30), 0, run.stderr)
        XCTAssertEqual(try alertIDs(alerts).count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("25 lines"), run.stderr)
        XCTAssertTrue(run.stderr.contains("25 events, 0 malformed"), run.stderr)
    }

    func testCompressedInputCannotBeFollowed() throws {
        let dir = try TempDir()
        let gz = dir.path("events.ndjson.gz")
        XCTAssertEqual(try CLI.run(["generate", "--events", "100", "-o", gz]).code, 0)
        let r = try CLI.run(["process", "--input", gz, "--follow"])
        XCTAssertEqual(r.code, 2, r.stderr)
        let errorLines = r.stderr.split(separator: "\n")
        XCTAssertEqual(errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(gz) && r.stderr.contains("cannot be followed"), r.stderr)

        // By magic bytes too, whatever the name says.
        let disguised = dir.path("events.log")
        try FileManager.default.copyItem(atPath: gz, toPath: disguised)
        let m = try CLI.run(["process", "--input", disguised, "--until-idle", "1s"])
        XCTAssertEqual(m.code, 2, m.stderr)
        XCTAssertEqual(m.stderr.split(separator: "\n").count, 1, m.stderr)
        XCTAssertTrue(m.stderr.contains(disguised) && m.stderr.contains("gzip"), m.stderr)

        let mixed = try CLI.run(["process", "--input", "-", "--input", dir.path("x.ndjson"), "--follow"])
        XCTAssertEqual(mixed.code, 2, mixed.stderr)

        // A named pipe would block the other files (and opening it waits for a writer).
        let fifo = dir.path("pipe")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let p = try CLI.run(["process", "--input", fifo, "--follow"])
        XCTAssertEqual(p.code, 2, p.stderr)
        XCTAssertTrue(p.stderr.contains(fifo) && p.stderr.contains("not a regular file"), p.stderr)
    }
}
