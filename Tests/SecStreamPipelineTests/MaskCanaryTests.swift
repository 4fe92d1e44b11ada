import Codecs
import Foundation
import TestSupport
import XCTest

/// `--mask`: canary values planted in generated events appear in no byte
/// secstream writes (alerts, archive objects decompressed, dead letters,
/// query output, metrics), while detection still fires on them.
final class MaskCanaryTests: XCTestCase {
    static let keyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    static let canaryUser = "zz-canary-user"
    static let canaryEmail = "canary.person@example.net"
    static let canaryIP = "198.51.100.77"
    static let canaryKey = "AKIAZZCANARY00000000"
    static var canaries: [String] { [canaryUser, canaryEmail, canaryIP, canaryKey] }

    static let policy = """
    key_file: key.hex
    key_id: test-1
    fields:
      user.name: hmac
      user.email: {action: hmac, length: 20, prefix: "e_"}
      source.ip: cryptopan
      destination.ip: cryptopan
      message: patterns
    """

    /// A generated stream with the canaries planted: 25 failed logins from the
    /// canary address as the canary user (a brute force), a late copy of one,
    /// and a malformed line holding the pattern-maskable canaries.
    static func plantedInput(in work: String) throws -> String {
        let generated = work + "/generated.ndjson"
        try ArchiveTestFiles.generate(generated, events: 4000, span: "30m", malformed: 0.002)
        var lines = try ArchiveTestFiles.lines(generated)
        for canary in canaries { XCTAssertFalse(lines.contains { $0.contains(canary) }, canary) }
        let template = try XCTUnwrap(lines.first { $0.contains("\"outcome\":\"failure\"") && $0.hasPrefix("{\"@timestamp\"") && $0.contains("\"source\":{\"ip\":") })
        func planted(_ time: String) throws -> String {
            var event = try JSONSerialization.jsonObject(with: Data(template.utf8)) as! [String: Any]
            event["@timestamp"] = time
            event["user"] = ["name": canaryUser, "email": canaryEmail]
            event["source"] = ["ip": canaryIP, "port": 40000]
            event["message"] = "Failed password for \(canaryUser)? mail \(canaryEmail) key \(canaryKey) from \(canaryIP)"
            return String(decoding: try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]), as: UTF8.self)
        }
        let at = try XCTUnwrap(lines.firstIndex { $0.contains("\"@timestamp\":\"2026-11-20T10:50:") })
        var burst: [String] = []
        for i in 0..<25 { burst.append(try planted(String(format: "2026-11-20T10:50:%02d.%03dZ", i / 10, (i % 10) * 100))) }
        lines.insert(contentsOf: burst, at: at)
        lines.append(try planted("2026-11-20T10:41:00.000Z"))  // late: dead-lettered whole
        lines.append("{\"broken\": \"\(canaryEmail) \(canaryIP) \(canaryKey)")  // malformed: pattern-masked
        let input = work + "/in.ndjson"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
        try Data((Self.keyHex + "\n").utf8).write(to: URL(fileURLWithPath: work + "/key.hex"))
        try Data(Self.policy.utf8).write(to: URL(fileURLWithPath: work + "/policy.yaml"))
        return input
    }

    /// The Crypto-PAn pseudonym of the canary address under the test key, from yacryptopan.
    static func expectedMaskedIP() throws -> String {
        let out = try PythonVenv.runInline("import sys, yacryptopan; print(yacryptopan.CryptoPAn(bytes.fromhex(sys.argv[1])).anonymize(sys.argv[2]))",
                                           arguments: [keyHex, canaryIP], stdin: Data())
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func assertNoCanary(_ bytes: [UInt8], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertFalse(text.isEmpty, "\(what) is empty", file: file, line: line)
        for canary in canaries where text.contains(canary) {
            XCTFail("\(canary) leaked into \(what)", file: file, line: line)
        }
    }

    func testNoCanaryInAnythingWrittenWhileDetectionFires() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("mask-canary")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = try Self.plantedInput(in: work)
        let run = try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/archive",
                                          "--alerts", work + "/alerts.ndjson", "--dead-letter", work + "/dead.ndjson",
                                          "--mask", work + "/policy.yaml", "--metrics-file", work + "/metrics.prom"])
        Self.assertNoCanary(Array(try Data(contentsOf: URL(fileURLWithPath: work + "/metrics.prom"))), "metrics")
        XCTAssertFalse(run.stderr.contains(Self.canaryIP) || run.stderr.contains(Self.canaryEmail), run.stderr)

        // Detection saw the raw values: the brute force fired, grouped by the masked address.
        let maskedIP = try Self.expectedMaskedIP()
        let alerts = try ArchiveTestFiles.lines(work + "/alerts.ndjson")
        XCTAssertTrue(alerts.contains { $0.contains("\"title\":\"Brute Force Against One Account Or Host\"")
            && $0.contains("\"group\":{\"source.ip\":\"\(maskedIP)\"}") }, "no brute-force alert for \(maskedIP)")
        Self.assertNoCanary(Array(try Data(contentsOf: URL(fileURLWithPath: work + "/alerts.ndjson"))), "alerts")

        // Dead letters: the late copy (masked by field) and the malformed line (by pattern).
        let dead = try Data(contentsOf: URL(fileURLWithPath: work + "/dead.ndjson"))
        Self.assertNoCanary(Array(dead), "dead letters")
        let deadText = String(decoding: dead, as: UTF8.self)
        XCTAssertTrue(deadText.contains("[aws_key]"), "the malformed canary line is not in the dead letters")
        XCTAssertTrue(deadText.contains("\"reason\":\"late\""), "no late dead letter")

        // Every archive object, decompressed.
        let objects = try ArchiveTestFiles.objects(under: work + "/archive")
        XCTAssertFalse(objects.isEmpty)
        var archived = 0
        for (key, bytes) in objects {
            let lines = try ArchiveTestFiles.decompressedLines(key, bytes)
            Self.assertNoCanary(Array(lines.joined(separator: "\n").utf8), "archive object \(key)")
            archived += lines.filter { $0.contains("\"ip\":\"\(maskedIP)\"") }.count
        }
        XCTAssertEqual(archived, 25, "the planted events, masked, in the archive")

        // Query output: of the masked archive, and of an unmasked one queried with --mask.
        let masked = try SecStreamCLI.check(["query", work + "/archive", "--where", "event.outcome = \"failure\""])
        Self.assertNoCanary(Array(masked.stdout), "query output")
        XCTAssertTrue(String(decoding: masked.stdout, as: UTF8.self).contains(maskedIP))
        try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/raw", "--alerts", "/dev/null"])
        let rawQuery = try SecStreamCLI.check(["query", work + "/raw", "--mask", work + "/policy.yaml"])
        XCTAssertTrue(String(decoding: rawQuery.stdout, as: UTF8.self).contains(Self.canaryIP) == false)
        Self.assertNoCanary(Array(rawQuery.stdout), "query --mask output")
        let counts = try SecStreamCLI.check(["query", work + "/raw", "--mask", work + "/policy.yaml", "--count-by", "source.ip,user.name"])
        Self.assertNoCanary(Array(counts.stdout), "query --count-by output")
        XCTAssertTrue(String(decoding: counts.stdout, as: UTF8.self).contains(maskedIP))
    }

    /// `--mask-before-detect`: detection on masked values; a replay of the
    /// masked archive gives the live run's alert ids.
    func testMaskBeforeDetectReplaysToTheSameAlertIds() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("mask-before-detect")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = try Self.plantedInput(in: work)
        try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/archive", "--alerts", work + "/live.ndjson",
                                "--dead-letter", work + "/dead.ndjson", "--mask", work + "/policy.yaml", "--mask-before-detect"])
        try SecStreamCLI.check(["replay", work + "/archive", "--alerts", work + "/replay.ndjson"])
        let live = try ArchiveTestFiles.alertIds(file: work + "/live.ndjson")
        XCTAssertFalse(live.isEmpty)
        XCTAssertEqual(Set(live), Set(try ArchiveTestFiles.alertIds(file: work + "/replay.ndjson")))
        let maskedIP = try Self.expectedMaskedIP()
        XCTAssertTrue(try ArchiveTestFiles.lines(work + "/live.ndjson").contains { $0.contains("\"source.ip\":\"\(maskedIP)\"") })
        Self.assertNoCanary(Array(try Data(contentsOf: URL(fileURLWithPath: work + "/live.ndjson"))), "alerts")
        Self.assertNoCanary(Array(try Data(contentsOf: URL(fileURLWithPath: work + "/dead.ndjson"))), "dead letters")
        for (key, bytes) in try ArchiveTestFiles.objects(under: work + "/archive") {
            Self.assertNoCanary(Array(try ArchiveTestFiles.decompressedLines(key, bytes).joined(separator: "\n").utf8), key)
        }
        // Replay with --mask masks its own outputs too.
        try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/raw", "--alerts", "/dev/null"])
        try SecStreamCLI.check(["replay", work + "/raw", "--alerts", work + "/replay-masked.ndjson", "--mask", work + "/policy.yaml"])
        let replayed = try Data(contentsOf: URL(fileURLWithPath: work + "/replay-masked.ndjson"))
        Self.assertNoCanary(Array(replayed), "replay --mask alerts")
        XCTAssertTrue(String(decoding: replayed, as: UTF8.self).contains(maskedIP))
    }

    func testBadPolicyIsOneLineExit2() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("mask-bad")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Data("key_file: key.hex\nfields:\n  user.name: scramble\n".utf8).write(to: URL(fileURLWithPath: work + "/bad.yaml"))
        try Data((Self.keyHex + "\n").utf8).write(to: URL(fileURLWithPath: work + "/key.hex"))
        for command in [["process", "--input", "/dev/null"], ["replay", work], ["query", work]] {
            let result = try SecStreamCLI.check(command + ["--mask", work + "/bad.yaml"], expect: 2)
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("bad.yaml:3: unknown action 'scramble'"), result.stderr)
        }
        // The key from the environment; a short key is refused.
        try Data("fields: {user.name: hmac}\n".utf8).write(to: URL(fileURLWithPath: work + "/env.yaml"))
        try SecStreamCLI.check(["process", "--input", "/dev/null", "--mask", work + "/env.yaml", "--alerts", "/dev/null"],
                               environment: ["SECSTREAM_MASK_KEY": Self.keyHex])
        let short = try SecStreamCLI.check(["process", "--input", "/dev/null", "--mask", work + "/env.yaml"], expect: 2,
                                           environment: ["SECSTREAM_MASK_KEY": "abcd"])
        XCTAssertTrue(short.stderr.contains("SECSTREAM_MASK_KEY must hold 64 hex"), short.stderr)
        try SecStreamCLI.check(["process", "--input", "/dev/null", "--mask-before-detect"], expect: 2)
    }
}
