import Foundation
import XCTest

/// `secstream process` as a user drives it: exit codes, dead letters with
/// locations, inputs by magic bytes, determinism.
final class ProcessCLITests: XCTestCase {
    /// 25 failed logins from one address inside one minute: the built-in
    /// brute-force rule (>= 20 per source.ip, 1-minute tumbling) fires once.
    private func bruteForceLines(ip: String = "198.51.100.9", count: Int = 25, minute: Int = 5) -> [String] {
        (0..<count).map { i in
            #"{"@timestamp":"2026-11-20T10:0\#(minute):\#(String(format: "%02d", i)).000Z","event":{"dataset":"auth","category":"authentication","outcome":"failure"},"user":{"name":"root"},"source":{"ip":"\#(ip)"},"host":{"name":"bastion"}}"#
        }
    }

    func testBadLinesOfEveryKindAreCountedAndDeadLetteredWithFileAndLine() throws {
        let dir = try TempDir()
        var lines = bruteForceLines()
        lines.insert(#"{"@timestamp":"2026-11-20T10:05:00Z","truncated":"#, at: 3)         // line 4
        lines.insert("[1,2,3]", at: 5)                                                        // line 6
        lines.insert(#"{"event":{"dataset":"auth"}}"#, at: 7)                                // line 8: no time
        lines.insert(#"{"@timestamp":"yesterday"}"#, at: 9)                                   // line 10
        lines.insert("\u{1}\u{2}garbage", at: 11)                                             // line 12
        var data = Data(lines.joined(separator: "\n").utf8)
        data.append(contentsOf: [0x0a, 0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]) // invalid UTF-8, line 31
        data.append(Data(repeating: 0x20, count: (1 << 20) + 10)); data.append(0x0a)          // oversized, line 32
        let input = dir.path("mixed.ndjson")
        try data.write(to: URL(fileURLWithPath: input))
        let r = try CLI.run(["process", "--input", input, "--dead-letter", dir.path("dl.ndjson")])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdoutLines.count, 1, "the run continued and the attack was still found")
        XCTAssertTrue(r.stderr.contains("\(input):4: malformed event"), r.stderr)
        XCTAssertTrue(r.stderr.contains("7 malformed"), r.stderr)
        let dead = try readNDJSON(dir.path("dl.ndjson"))
        XCTAssertEqual(dead.map { $0["line"] as! Int }, [4, 6, 8, 10, 12, 31, 32])
        XCTAssertTrue(dead.allSatisfy { ($0["source"] as? String) == input && ($0["reason"] as? String) == "malformed" })
        XCTAssertEqual(dead[0]["raw"] as? String, #"{"@timestamp":"2026-11-20T10:05:00Z","truncated":"#)
        XCTAssertNotNil(dead[5]["raw_base64"], "invalid UTF-8 keeps its exact bytes")
        XCTAssertEqual(Data(base64Encoded: dead[5]["raw_base64"] as! String)?.count, 10)
    }

    /// Lines over the 1 MiB limit are never buffered whole, yet their dead
    /// letters hold them byte for byte: UTF-8 ones as `raw` (with quotes,
    /// backslashes, control bytes and multi-byte characters across the 1 MiB
    /// blocks the spool is read in), others as `raw_base64`.
    func testOversizedLinesKeepTheirBytesInTheDeadLetter() throws {
        let dir = try TempDir()
        var text: [UInt8] = Array(#"{"@timestamp":"2026-11-20T10:00:00Z","blob":""#.utf8)
        let unit = Array("é\\\"\u{1}ü€𝄞 ab".utf8)
        while text.count < (3 << 20) { text += unit }
        text += Array(#""}"#.utf8)
        var binary = [UInt8](repeating: 0, count: (2 << 20) + 5)
        for i in binary.indices { binary[i] = UInt8(truncatingIfNeeded: i &* 131 &+ 7) }
        binary[0] = 0xff
        binary = binary.map { $0 == 0x0a ? 0x0b : $0 }
        var data = Data(bruteForceLines(count: 1)[0].utf8) + Data([0x0a])
        data += Data(text) + Data([0x0a])
        data += Data(binary) + Data([0x0a])
        data += Data(bruteForceLines(count: 1)[0].utf8) + Data([0x0a])
        let input = dir.path("big.ndjson")
        try data.write(to: URL(fileURLWithPath: input))
        let r = try CLI.run(["process", "--input", input, "--dead-letter", dir.path("dl.ndjson")])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("2 malformed"), r.stderr)
        let dead = try readNDJSON(dir.path("dl.ndjson"))
        XCTAssertEqual(dead.map { $0["line"] as! Int }, [2, 3])
        XCTAssertEqual((dead[0]["raw"] as? String).map { Array($0.utf8) }, text, "the UTF-8 line, byte for byte")
        XCTAssertNil(dead[0]["raw_base64"])
        XCTAssertEqual((dead[1]["raw_base64"] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }, binary,
                       "the binary line, byte for byte")
    }

    func testTheFirstFiveBadLinesAreReportedEachWithItsLineAndTheRestCounted() throws {
        let dir = try TempDir()
        let input = dir.path("bad.ndjson")
        // Lines 2, 4, ..., 16 are not JSON: eight bad lines among good ones.
        var lines: [String] = []
        for i in 1...16 { lines.append(i % 2 == 0 ? "not json \(i)" : bruteForceLines(count: 1)[0]) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let r = try CLI.run(["process", "--input", input])
        XCTAssertEqual(r.code, 0, r.stderr)
        let reports = r.stderr.split(separator: "\n").filter { $0.contains(": malformed event: ") }
        XCTAssertEqual(reports.map { $0.components(separatedBy: ": malformed event:")[0] },
                       [2, 4, 6, 8, 10].map { "secstream: \(input):\($0)" })
        XCTAssertTrue(r.stderr.contains("8 malformed"), r.stderr)
    }

    func testLateEventsAreDeadLetteredAndTakePartInNothing() throws {
        let dir = try TempDir()
        var lines = bruteForceLines(count: 19)
        lines.append(#"{"@timestamp":"2026-11-20T10:09:00.000Z","event":{"dataset":"dns"},"dns":{"question":{"name":"a.example"}},"source":{"ip":"10.0.0.1"}}"#)
        // The 20th failure arrives after the watermark (10:09 - 30s) passed it.
        lines.append(bruteForceLines(count: 20)[19])
        let r = try CLI.run(["process", "--dead-letter", dir.path("dl.ndjson")], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdoutLines.count, 0, "the late event did not complete the burst")
        XCTAssertTrue(r.stderr.contains("1 late"), r.stderr)
        let dead = try readNDJSON(dir.path("dl.ndjson"))
        XCTAssertEqual(dead.count, 1)
        XCTAssertEqual(dead[0]["reason"] as? String, "late")
        XCTAssertEqual(dead[0]["line"] as? Int, 21)
        XCTAssertEqual(dead[0]["source"] as? String, "stdin")
    }

    func testOutOfOrderArrivalWithinLatenessGivesTheSameAlerts() throws {
        let ordered = bruteForceLines(count: 45) + bruteForceLines(ip: "198.51.100.10", count: 20, minute: 6)
        // Reverse each 20-line block: every block spans < 30 s of event time,
        // so all of it arrives within the default lateness.
        let shuffled = stride(from: 0, to: ordered.count, by: 20).flatMap { Array(ordered[$0..<min($0 + 20, ordered.count)]).reversed() }
        let a = try CLI.run(["process"], stdin: Data((ordered.joined(separator: "\n") + "\n").utf8))
        let b = try CLI.run(["process", "--threads", "1"], stdin: Data((shuffled.joined(separator: "\n") + "\n").utf8))
        XCTAssertEqual(a.code, 0, a.stderr)
        XCTAssertEqual(a.stdoutLines.count, 2)
        // Sample locations are line numbers, which differ with arrival order;
        // everything else about the alerts must not.
        func withoutSamples(_ r: CLI.Result) -> [String] {
            r.stdoutLines.map { $0.replacingOccurrences(of: #","samples":\[.*\]\}$"#, with: "}", options: .regularExpression) }
        }
        XCTAssertEqual(withoutSamples(a), withoutSamples(b), "alerts depend only on the events")
        XCTAssertNotEqual(a.stdout, b.stdout, "the samples do point at the reordered lines")
    }

    func testFailOnAlertExitsOneAndQuietRunExitsZero() throws {
        let input = Data((bruteForceLines().joined(separator: "\n") + "\n").utf8)
        XCTAssertEqual(try CLI.run(["process", "--fail-on-alert"], stdin: input).code, 1)
        let quiet = Data((bruteForceLines(count: 19).joined(separator: "\n") + "\n").utf8)
        XCTAssertEqual(try CLI.run(["process", "--fail-on-alert"], stdin: quiet).code, 0)
    }

    func testBadRuleFileIsExitThreeNamingFileAndLineBeforeReadingEvents() throws {
        let dir = try TempDir()
        let rule = dir.path("bad.yml")
        try """
        title: Broken
        id: 11111111-2222-3333-4444-555555555555
        logsource: {category: authentication}
        detection:
          selection:
            event.outcome|nosuchmodifier: failure
          condition: selection
        """.write(toFile: rule, atomically: true, encoding: .utf8)
        let r = try CLI.run(["process", "--rules", rule, "--input", dir.path("does-not-exist.ndjson")])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("bad.yml:6"), r.stderr)
        XCTAssertFalse(r.stderr.contains("does-not-exist"), "rules are checked before any input is opened")
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try CLI.run(["process", "--lateness", "soon"]).code, 2)
        XCTAssertEqual(try CLI.run(["process", "--no-such-flag"]).code, 2)
        XCTAssertEqual(try CLI.run(["generate", "--max-lateness", "x"]).code, 2)
    }

    func testMissingInputIsExitThree() throws {
        let r = try CLI.run(["process", "--input", "/nonexistent/events.ndjson"])
        XCTAssertEqual(r.code, 3)
        XCTAssertTrue(r.stderr.contains("/nonexistent/events.ndjson"), r.stderr)
    }

    func testCompressedInputsAreDetectedByMagicNotExtension() throws {
        let dir = try TempDir()
        for codec in ["gz", "lz4"] {
            let path = dir.path("events.ndjson.\(codec)")
            let g = try CLI.run(["generate", "--events", "20000", "--seed", "4", "-o", path])
            XCTAssertEqual(g.code, 0, g.stderr)
            let renamed = dir.path("events-\(codec).data")
            try FileManager.default.moveItem(atPath: path, toPath: renamed)
            let r = try CLI.run(["process", "--input", renamed])
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertTrue(r.stderr.contains("20000 events"), r.stderr)
            XCTAssertGreaterThan(r.stdoutLines.count, 0)
        }
    }

    func testSameInputGivesByteIdenticalAlertsAcrossRunsAndThreadCounts() throws {
        let dir = try TempDir()
        let input = dir.path("e.ndjson")
        XCTAssertEqual(try CLI.run(["generate", "--events", "60000", "--seed", "9", "--late-fraction", "0.05", "-o", input]).code, 0)
        let one = try CLI.run(["process", "--input", input, "--threads", "1"])
        let two = try CLI.run(["process", "--input", input, "--threads", "2"])
        XCTAssertGreaterThan(one.stdoutLines.count, 0)
        XCTAssertEqual(one.stdout, two.stdout)
    }

    func testGenerateSameSeedSameBytes() throws {
        let a = try CLI.run(["generate", "--events", "5000", "--seed", "42", "--late-fraction", "0.1", "--malformed-fraction", "0.01"])
        let b = try CLI.run(["generate", "--events", "5000", "--seed", "42", "--late-fraction", "0.1", "--malformed-fraction", "0.01"])
        let c = try CLI.run(["generate", "--events", "5000", "--seed", "43"])
        XCTAssertEqual(a.code, 0, a.stderr)
        XCTAssertEqual(a.stdout, b.stdout)
        XCTAssertNotEqual(a.stdout, c.stdout)
    }
}
