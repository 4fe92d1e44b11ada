import Foundation
import TestSupport
import XCTest

/// Forged and skewed event times (`--max-future-skew`, `--future-quorum`):
/// a few lines dated far ahead must not make the valid events after them late,
/// and a real jump in time (traffic resuming hours later) must lose nothing.
/// Expectations come from the clean stream's own run and from the lines the
/// test forged, never from the run under test.
final class AdversarialTimeTests: XCTestCase {
    /// What identifies an alert apart from its sample line numbers (which move
    /// when lines are inserted): id, rule, window, value.
    private func alertKeys(_ lines: [String], file: StaticString = #filePath, line: UInt = #line) -> [String] {
        lines.map { text in
            guard let a = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let rule = a["rule"] as? [String: Any], let window = a["window"] as? [String: Any] else {
                XCTFail("not an alert: \(text)", file: file, line: line)
                return ""
            }
            return "\(a["alert_id"] ?? "") \(rule["id"] ?? "") \(window["start"] ?? "") \(a["value"] ?? "")"
        }
    }

    private func deadLetters(_ path: String) throws -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    private func forgedLine(_ iso: String, _ k: Int) -> String {
        #"{"@timestamp":"\#(iso)","event":{"category":"web"},"message":"forged \#(k)"}"#
    }

    /// 1–3 lines dated years ahead or behind, at random places (the first line
    /// included), over many seeds: the alerts are the clean run's, and every
    /// line dated ahead is dead-lettered with reason `future`.
    func testForgedTimestampsDoNotBlindDetection() throws {
        let dir = try TempDir()
        let clean = dir.path("clean.ndjson")
        let g = try CLI.run(["generate", "--events", "20000", "--seed", "7", "-o", clean])
        XCTAssertEqual(g.code, 0, g.stderr)
        let base = try String(contentsOfFile: clean, encoding: .utf8).split(separator: "\n").map(String.init)
        let reference = try CLI.run(["process", "--input", clean])
        XCTAssertEqual(reference.code, 0, reference.stderr)
        let want = alertKeys(reference.stdoutLines)
        XCTAssertGreaterThan(want.count, 0, "the clean stream raises alerts")

        // Without the gate one forged line is enough to blind the run.
        var blinded = base
        blinded.insert(forgedLine("2099-01-01T00:00:00Z", 0), at: 1000)
        let blindedPath = dir.path("blinded.ndjson")
        try (blinded.joined(separator: "\n") + "\n").write(toFile: blindedPath, atomically: true, encoding: .utf8)
        let off = try CLI.run(["process", "--input", blindedPath, "--max-future-skew", "0"])
        XCTAssertNotEqual(alertKeys(off.stdoutLines), want, "the scenario is one that blinds an ungated run")

        for seed in 1...12 {
            var rng = SplitMix(seed: UInt64(seed))
            var lines = base
            var forged: [(text: String, ahead: Bool)] = []
            for k in 0..<(1 + rng.below(3)) {
                let ahead = rng.below(3) != 0
                let iso = ahead ? ["2099-01-01T00:00:00Z", "2031-06-01T12:00:00Z", "2026-11-21T05:00:00Z"][rng.below(3)]
                                : ["1970-01-01T00:00:00Z", "2020-02-02T02:02:02Z"][rng.below(2)]
                let text = forgedLine(iso, k)
                lines.insert(text, at: k == 0 && rng.below(4) == 0 ? 0 : rng.below(lines.count + 1))
                forged.append((text, ahead))
            }
            let input = dir.path("forged-\(seed).ndjson")
            let dead = dir.path("dead-\(seed).ndjson")
            try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
            let r = try CLI.run(["process", "--input", input, "--dead-letter", dead])
            XCTAssertEqual(r.code, 0, "seed \(seed): \(r.stderr)")
            XCTAssertEqual(alertKeys(r.stdoutLines), want, "seed \(seed): forged \(forged.map(\.text))")
            let letters = try deadLetters(dead)
            for f in forged where f.ahead {
                XCTAssertTrue(letters.contains { $0["reason"] as? String == "future" && $0["raw"] as? String == f.text },
                              "seed \(seed): \(f.text) is dead-lettered as future: \(letters)")
            }
            let validLost = letters.filter { l in !forged.contains { $0.text == l["raw"] as? String } }
            XCTAssertEqual(validLost.count, 0, "seed \(seed): no valid event is dead-lettered: \(validLost.prefix(3))")
        }
    }

    /// A quiet night: the second half of the stream resumes six hours later.
    /// Nothing is late or future, and the alerts are those of the two halves
    /// run on their own.
    func testARealJumpInTimeLosesNothing() throws {
        let dir = try TempDir()
        let first = dir.path("first.ndjson"), second = dir.path("second.ndjson"), both = dir.path("both.ndjson")
        XCTAssertEqual(try CLI.run(["generate", "--events", "10000", "--seed", "3", "-o", first]).code, 0)
        XCTAssertEqual(try CLI.run(["generate", "--events", "10000", "--seed", "4", "--start", "2026-11-20T12:00:00Z",
                                    "-o", second]).code, 0)
        let a = try String(contentsOfFile: first, encoding: .utf8), b = try String(contentsOfFile: second, encoding: .utf8)
        try (a + b).write(toFile: both, atomically: true, encoding: .utf8)
        let r = try CLI.run(["process", "--input", both, "--dead-letter", dir.path("dead.ndjson")])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("0 late, 0 future"), r.stderr)
        XCTAssertEqual(try deadLetters(dir.path("dead.ndjson")).count, 0)
        let ra = try CLI.run(["process", "--input", first]), rb = try CLI.run(["process", "--input", second])
        XCTAssertEqual(Set(alertKeys(r.stdoutLines)), Set(alertKeys(ra.stdoutLines) + alertKeys(rb.stdoutLines)))
        XCTAssertGreaterThan(r.stdoutLines.count, 0)
    }

    /// A paced replay (`--speed 1`) of an archive holding a 2026 event and a
    /// forged year-9999 one waits (the gap is capped at decades of wall time)
    /// instead of trapping on a nanosecond count past UInt64.
    func testPacedReplayOfAForgedFarFutureEventWaitsInsteadOfTrapping() throws {
        let dir = try TempDir()
        let input = dir.path("in.ndjson")
        try (forgedLine("2026-11-20T10:00:00Z", 1) + "\n" + forgedLine("9999-12-31T23:59:59Z", 2) + "\n")
            .write(toFile: input, atomically: true, encoding: .utf8)
        let archive = dir.path("archive")
        let written = try CLI.run(["process", "--max-future-skew", "0", "--input", input,
                                   "--archive", archive, "--alerts", dir.path("alerts.ndjson")])
        XCTAssertEqual(written.code, 0, written.stderr)
        let replay = try BackgroundCLI(["replay", archive, "--speed", "1",
                                        "--alerts", dir.path("replayed.ndjson")], stderrFile: dir.path("replay.err"))
        // The first event goes out at once; the second is due in about 8,000 years.
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline && replay.process.isRunning { usleep(50_000) }
        XCTAssertTrue(replay.process.isRunning, "replay ended (status \(replay.process.terminationStatus)): \(replay.stderr)")
        replay.signal(SIGKILL)
        replay.wait(timeout: 10)
    }
}
