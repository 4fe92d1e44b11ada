import Foundation
import XCTest

/// What a person at a terminal sees: alerts as a table (NDJSON into pipes,
/// unchanged), and one updating progress line on stderr that never reaches a
/// pipe. Run through a pseudo-terminal, as a shell gives the binary one.
final class TerminalOutputTests: XCTestCase {
    /// 25 failed logins from `ip` in minute `minute`: the built-in brute-force rule fires once.
    private func bruteForce(ip: String, minute: Int, user: String = "root") -> [String] {
        (0..<25).map { i in
            #"{"@timestamp":"2026-11-20T10:0\#(minute):\#(String(format: "%02d", i)).000Z","event":{"dataset":"auth","category":"authentication","outcome":"failure"},"user":{"name":"\#(user)"},"source":{"ip":"\#(ip)"},"host":{"name":"bastion"}}"#
        }
    }

    private func attackFile(_ dir: TempDir) throws -> String {
        let path = dir.path("attack.ndjson")
        let lines = bruteForce(ip: "198.51.100.9", minute: 1) + bruteForce(ip: "203.0.113.77", minute: 3)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The exact table, header and rows (no colour into a pipe).
    static let goldenTable = """
        LEVEL          TIME                      RULE                                     GROUP                                 VALUE
        high           2026-11-20T10:01:19.000Z  Brute Force Against One Account Or Host  source.ip=198.51.100.9                20
        high           2026-11-20T10:03:19.000Z  Brute Force Against One Account Or Host  source.ip=203.0.113.77                20

        """

    func testForcedTableIsTheGoldenTableAndNDJSONIntoAPipeIsUnchanged() throws {
        let dir = try TempDir()
        let input = try attackFile(dir)
        let table = try CLI.run(["process", "--input", input, "--format", "table"])
        XCTAssertEqual(table.code, 0, table.stderr)
        XCTAssertEqual(table.stdoutText, Self.goldenTable)

        // A pipe gets NDJSON by default, the same bytes as --format ndjson and as an alerts file.
        let piped = try CLI.run(["process", "--input", input])
        let forced = try CLI.run(["process", "--input", input, "--format", "ndjson"])
        let file = try CLI.run(["process", "--input", input, "--alerts", dir.path("alerts.ndjson")])
        XCTAssertEqual(piped.code, 0, piped.stderr)
        XCTAssertEqual(piped.stdoutLines.count, 2)
        XCTAssertEqual(piped.stdout, forced.stdout)
        XCTAssertEqual(file.code, 0, file.stderr)
        XCTAssertEqual(piped.stdout, try Data(contentsOf: URL(fileURLWithPath: dir.path("alerts.ndjson"))))
        for line in piped.stdoutLines {
            let alert = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            XCTAssertEqual((alert["rule"] as? [String: Any])?["title"] as? String, "Brute Force Against One Account Or Host")
        }
    }

    func testATerminalGetsTheColouredTableByDefaultAndNoColorTurnsColourOff() throws {
        let dir = try TempDir()
        let input = try attackFile(dir)
        let tty = try PseudoTerminal.run(["process", "--input", input], stdoutTerminal: true, stderrTerminal: false)
        XCTAssertEqual(tty.code, 0, tty.stderr)
        XCTAssertTrue(tty.stdout.contains("\u{1b}[1mLEVEL"), tty.stdout)
        XCTAssertTrue(tty.stdout.contains("\u{1b}[31mhigh         \u{1b}[0m  2026-11-20T10:01:19.000Z"), tty.stdout)
        XCTAssertFalse(tty.stdout.contains("{\"alert_id\""), "no NDJSON on the terminal")
        XCTAssertTrue(tty.stderr.contains("2 alerts"), "the summary still goes to stderr: \(tty.stderr)")

        let plain = try PseudoTerminal.run(["process", "--input", input], stdoutTerminal: true, stderrTerminal: false,
                                           environment: ["NO_COLOR": "1"])
        XCTAssertEqual(plain.stdout, Self.goldenTable, "NO_COLOR: the same table without escapes")

        let never = try PseudoTerminal.run(["process", "--input", input, "--color", "never"], stdoutTerminal: true, stderrTerminal: false)
        XCTAssertEqual(never.stdout, Self.goldenTable)

        let ndjson = try PseudoTerminal.run(["process", "--input", input, "--format", "ndjson"], stdoutTerminal: true, stderrTerminal: false)
        XCTAssertEqual(ndjson.stdout, try CLI.run(["process", "--input", input]).stdoutText, "--format ndjson on a terminal")

        let always = try CLI.run(["process", "--input", input, "--format", "table", "--color", "always"])
        XCTAssertTrue(always.stdoutText.contains("\u{1b}[31mhigh"), "--color always colours a pipe (less -R)")
    }

    func testTheTableOnlyGoesToStdout() throws {
        let dir = try TempDir()
        let input = try attackFile(dir)
        let r = try CLI.run(["process", "--input", input, "--format", "table", "--alerts", dir.path("a.ndjson")])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.hasPrefix("secstream: --format table:"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        let bad = try CLI.run(["process", "--input", input, "--format", "yaml"])
        XCTAssertEqual(bad.code, 2)
        XCTAssertTrue(bad.stderr.contains("--format"), bad.stderr)
    }

    /// Group values come from events, so from attackers: an escape sequence in
    /// one must show as text, not clear the analyst's screen.
    func testControlCharactersInGroupValuesAreShownNotSentToTheTerminal() throws {
        let dir = try TempDir()
        let input = dir.path("hostile.ndjson")
        let ip = #"\u001b[2J\u001b]0;pwned\u0007198.51.100.9"#
        try (bruteForce(ip: ip, minute: 1).joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let r = try CLI.run(["process", "--input", input, "--format", "table", "--color", "never"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdoutLines.count, 2, r.stdoutText)
        XCTAssertFalse(r.stdout.contains(0x1b), "no raw ESC reaches the terminal")
        XCTAssertFalse(r.stdout.contains(0x07))
        XCTAssertTrue(r.stdoutText.contains(#"source.ip=\u{1b}[2J\u{1b}]0;pwned\u{7}198.51.100.9"#), r.stdoutText)
    }

    // MARK: progress

    /// A larger input (a few MiB) so the run spans several chunks.
    private func bigInput(_ dir: TempDir) throws -> String {
        let path = dir.path("big.ndjson")
        var text = ""
        for minute in 0..<10 { text += bruteForce(ip: "198.51.100.\(minute)", minute: minute).joined(separator: "\n") + "\n" }
        let filler = #"{"@timestamp":"2026-11-20T10:09:59.000Z","event":{"dataset":"web"},"url":{"path":"/index.html"},"source":{"ip":"192.0.2.1"}}"#
        text += String(repeating: filler + "\n", count: 60_000)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testProcessShowsAnUpdatingProgressLineOnATerminalAndNoneIntoAPipe() throws {
        let dir = try TempDir()
        let input = try bigInput(dir)
        let tty = try PseudoTerminal.run(["process", "--input", input, "--threads", "1"], stdoutTerminal: false, stderrTerminal: true)
        XCTAssertEqual(tty.code, 0, tty.stderr)
        XCTAssertTrue(tty.stderr.contains("\r\u{1b}[Kprocess: "), tty.stderr)
        XCTAssertTrue(tty.stderr.contains(" MiB ("), "done/total in bytes: \(tty.stderr)")
        XCTAssertTrue(tty.stderr.contains("/s"), "a rate")
        XCTAssertTrue(tty.stderr.contains("alerts"), "alerts so far")
        XCTAssertTrue(tty.stderr.contains("\r\u{1b}[Ksecstream: "), "the line is erased before the summary: \(tty.stderr)")
        XCTAssertTrue(tty.stderr.contains("10 alerts\n"), tty.stderr)
        XCTAssertEqual(tty.stdout.split(separator: "\n").count, 10, "NDJSON alerts into the pipe")

        let piped = try CLI.run(["process", "--input", input])
        XCTAssertFalse(piped.stderr.contains("\r"), "no progress into a pipe: \(piped.stderr)")
        XCTAssertFalse(piped.stderr.contains("\u{1b}"))
        XCTAssertTrue(piped.stderr.contains("10 alerts"), piped.stderr)

        let forced = try CLI.run(["process", "--input", input, "--progress"])
        XCTAssertTrue(forced.stderr.contains("\r\u{1b}[Kprocess: "), "--progress forces it: \(forced.stderr)")

        let quiet = try PseudoTerminal.run(["process", "--input", input, "--quiet"], stdoutTerminal: false, stderrTerminal: true)
        XCTAssertEqual(quiet.code, 0)
        XCTAssertEqual(quiet.stderr, "", "--quiet: neither progress nor summary")
        XCTAssertEqual(quiet.stdout.split(separator: "\n").count, 10)

        let both = try CLI.run(["process", "--input", input, "--quiet", "--progress"])
        XCTAssertEqual(both.code, 2, both.stderr)
    }

    /// Table rows and the progress line share the terminal: the line is
    /// erased before each row, so no row starts in the middle of it.
    func testRowsAndProgressShareOneTerminal() throws {
        let dir = try TempDir()
        let input = try bigInput(dir)
        let tty = try PseudoTerminal.run(["process", "--input", input, "--color", "never"], stdoutTerminal: true, stderrTerminal: true)
        XCTAssertEqual(tty.code, 0, tty.stdout)
        for row in tty.stdout.components(separatedBy: "\n") where row.contains("Brute Force Against") {
            XCTAssertTrue(row.hasPrefix("high ") || row.hasPrefix("\r\u{1b}[Khigh ") , "a row on a line of its own: \(row.debugDescription)")
        }
        XCTAssertEqual(tty.stdout.components(separatedBy: "Brute Force Against").count - 1, 10)
    }

    func testGenerateAndReplayAndQueryShowProgressOnATerminal() throws {
        let dir = try TempDir()
        let events = dir.path("gen.ndjson")
        let gen = try PseudoTerminal.run(["generate", "--events", "300000", "--seed", "7", "-o", events], stdoutTerminal: false, stderrTerminal: true)
        XCTAssertEqual(gen.code, 0, gen.stderr)
        XCTAssertTrue(gen.stderr.contains("\r\u{1b}[Kgenerate: "), gen.stderr)
        XCTAssertTrue(gen.stderr.contains("/300000 events ("), "done/total events: \(gen.stderr)")
        XCTAssertTrue(gen.stderr.hasSuffix("\r\u{1b}[K"), "erased at the end: \(gen.stderr.suffix(80).debugDescription)")
        let quiet = try CLI.run(["generate", "--events", "1000", "-o", dir.path("q.ndjson")])
        XCTAssertEqual(quiet.stderr, "")

        let archive = dir.path("archive")
        let p = try CLI.run(["process", "--input", events, "--archive", archive, "--alerts", dir.path("alerts.ndjson")])
        XCTAssertEqual(p.code, 0, p.stderr)
        let replay = try PseudoTerminal.run(["replay", archive, "--format", "ndjson"], stdoutTerminal: false, stderrTerminal: true)
        XCTAssertEqual(replay.code, 0, replay.stderr)
        XCTAssertTrue(replay.stderr.contains("\r\u{1b}[Kreplay: "), replay.stderr)
        XCTAssertTrue(replay.stderr.contains(" objects ("), replay.stderr)
        XCTAssertTrue(replay.stderr.contains("alerts"), replay.stderr)
        XCTAssertTrue(replay.stderr.contains("secstream: replay: "), "the summary after it: \(replay.stderr)")

        let query = try PseudoTerminal.run(["query", archive, "--count-by", "event.dataset"], stdoutTerminal: false, stderrTerminal: true)
        XCTAssertEqual(query.code, 0, query.stderr)
        XCTAssertTrue(query.stderr.contains("\r\u{1b}[Kquery: "), query.stderr)
        let piped = try CLI.run(["query", archive, "--count-by", "event.dataset"])
        XCTAssertFalse(piped.stderr.contains("\r"), piped.stderr)
    }
}
