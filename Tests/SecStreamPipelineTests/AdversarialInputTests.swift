import Foundation
import XCTest
import TestSupport

/// Input written to hurt: each case ends with one clear line (or a dead
/// letter), in bounded time and memory, and the valid events around it are
/// still evaluated. (Forged times: `AdversarialTimeTests`; a cardinality
/// flood: `AdversarialStateTests`; a nested-quantifier regex over 10 KiB:
/// `SigmaRegexTests`; Kafka and S3 responses: the fuzz and fault tests of
/// those modules.)
final class AdversarialInputTests: XCTestCase {
    private func elapsed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = Date()
        let value = try body()
        return (value, Date().timeIntervalSince(start))
    }

    /// "Billion laughs": ten anchors of ten aliases each, 10^10 strings from 700 bytes.
    func testYAMLAliasBombRuleIsRefusedAtOnce() throws {
        let dir = try TempDir()
        var yaml = "title: bomb\nid: 11111111-2222-4333-8444-555555555555\nlogsource: {category: web}\ndetection:\n"
        yaml += "  a0: &a0 [" + Array(repeating: "\"lol\"", count: 10).joined(separator: ",") + "]\n"
        for i in 1...9 { yaml += "  a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ",") + "]\n" }
        yaml += "  sel: {message|contains: *a9}\n  condition: sel\n"
        let rule = dir.path("bomb.yml")
        try yaml.write(toFile: rule, atomically: true, encoding: .utf8)
        let (r, seconds) = try elapsed { try CLI.run(["process", "--no-default-rules", "--rules", rule, "--input", "/dev/null"]) }
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("bomb.yml:1: the YAML document expands to more than 1000000 nodes"), r.stderr)
        XCTAssertLessThan(seconds, 30, "refused without expanding")
    }

    /// 1 MiB of gzip that inflates to 1 GiB of zeros (one endless line): the
    /// input is stopped with a one-line error once it expands past 500 times.
    func testGzipBombIsStopped() throws {
        let dir = try TempDir()
        let bomb = dir.path("bomb.gz")
        // Built with the gzip tool the suite already requires (scripts/deps.sh).
        XCTAssertEqual(try Shell.run("head -c 1073741824 /dev/zero | gzip -9 > '\(bomb)'"), 0)
        let size = try FileManager.default.attributesOfItem(atPath: bomb)[.size] as? Int ?? 0
        XCTAssertLessThan(size, 2 << 20, "a bomb: about 1 MiB")
        let (r, seconds) = try elapsed { try CLI.run(["process", "--input", bomb, "--dead-letter", dir.path("dead.ndjson")]) }
        XCTAssertEqual(r.code, 3, r.stderr)
        let errors = r.stderr.split(separator: "\n").filter { $0.contains("decompression bomb") }
        XCTAssertEqual(errors.count, 1, r.stderr)
        XCTAssertTrue(errors.first?.hasPrefix("secstream: \(bomb): gzip: expands more than 500×") == true, r.stderr)
        XCTAssertLessThan(seconds, 120, "stopped after a few hundred MiB, not 1 GiB")
    }

    /// JSON nested deeper than the scanner follows (64) is one malformed line;
    /// the events around it are evaluated as without it.
    func testDeeplyNestedJSONIsDeadLetteredAndTheRunGoesOn() throws {
        let dir = try TempDir()
        let events = dir.path("events.ndjson")
        XCTAssertEqual(try CLI.run(["generate", "--events", "20000", "--seed", "5", "-o", events]).code, 0)
        let clean = try CLI.run(["process", "--input", events])
        var lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").map(String.init)
        let deep = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        lines.insert(deep, at: 5_000)
        let hostile = dir.path("hostile.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: hostile, atomically: true, encoding: .utf8)
        let r = try CLI.run(["process", "--input", hostile, "--dead-letter", dir.path("dead.ndjson")])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(hostile):5001: malformed event:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("1 malformed"), r.stderr)
        let dead = try String(contentsOfFile: dir.path("dead.ndjson"), encoding: .utf8)
        XCTAssertTrue(dead.contains(#""line":5001"#))
        XCTAssertEqual(r.stdoutLines.count, clean.stdoutLines.count, "the same alerts as without the line")
    }

    /// A 1 GiB line (no newline inside) between valid events: dead-lettered
    /// whole (streamed through a spool file, never held in memory), and the
    /// valid events after it are still read.
    func testOneGiBLineIsDeadLetteredWholeAndTheRunGoesOn() throws {
        let dir = try TempDir()
        let input = dir.path("huge.ndjson")
        FileManager.default.createFile(atPath: input, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: input))
        let valid = #"{"@timestamp":"2026-11-20T00:00:00Z","event":{"category":"web"},"message":"ok"}"# + "\n"
        out.write(Data(valid.utf8))
        let block = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<1024 { out.write(block) }
        out.write(Data("\n".utf8))
        out.write(Data(valid.utf8))
        try out.close()
        let dead = dir.path("dead.ndjson")
        let r = try CLI.run(["process", "--input", input, "--dead-letter", dead])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("3 lines") && r.stderr.contains("2 events, 1 malformed"), r.stderr)
        XCTAssertTrue(r.stderr.contains("huge.ndjson:2: malformed event: line of 1073741824 bytes exceeds the 1 MiB limit"), r.stderr)
        // The record holds the whole line: header, 2^30 'a's, closing quote and brace.
        let size = try FileManager.default.attributesOfItem(atPath: dead)[.size] as? Int ?? 0
        XCTAssertGreaterThan(size, 1 << 30)
        XCTAssertLessThan(size, (1 << 30) + 4096)
        let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: dead))
        let prefix = String(decoding: try head.read(upToCount: 300) ?? Data(), as: UTF8.self)
        try head.close()
        XCTAssertTrue(prefix.hasPrefix(#"{"reason":"malformed","error":"line of 1073741824 bytes exceeds the 1 MiB limit","source":"#), prefix)
        XCTAssertTrue(prefix.contains(#""line":2,"raw":"aaaa"#), prefix)
    }
}
