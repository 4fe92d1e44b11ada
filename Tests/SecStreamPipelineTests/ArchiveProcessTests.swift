import Codecs
import Foundation
import XCTest

/// `process --archive`: Hive layout, object contents, deterministic names and
/// bytes, compression and flag validation.
final class ArchiveProcessTests: XCTestCase {
    func testHiveLayoutDeterministicNamesAndIdenticalReruns() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("archive-layout")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/events.ndjson"
        try ArchiveTestFiles.generate(input)
        @discardableResult
        func archive(_ directory: String) throws -> String {
            try SecStreamCLI.check(["process", "--input", input, "--archive", directory, "--archive-flush-bytes", "256KiB",
                                    "--alerts", work + "/alerts.ndjson"]).stderr
        }
        let summary = try archive(work + "/a")
        let first = try ArchiveTestFiles.objects(under: work + "/a")
        try archive(work + "/a")  // re-run into the same archive: overwrites, never a second copy
        try archive("file://" + work + "/b")
        let again = try ArchiveTestFiles.objects(under: work + "/a")
        let other = try ArchiveTestFiles.objects(under: work + "/b")
        XCTAssertGreaterThan(first.count, 6)
        XCTAssertEqual(Set(first.keys), Set(again.keys))
        XCTAssertEqual(first, again)
        XCTAssertEqual(first, other)

        let pattern = try NSRegularExpression(pattern: #"^dt=(\d{4}-\d\d-\d\d)/hour=(\d\d)/events-(\d{12})\.ndjson\.lz4$"#)
        var archived: [String] = []
        for (key, bytes) in first {
            let match = try XCTUnwrap(pattern.firstMatch(in: key, range: NSRange(key.startIndex..., in: key)), key)
            let day = String(key[Range(match.range(at: 1), in: key)!])
            let hour = String(key[Range(match.range(at: 2), in: key)!])
            XCTAssertEqual(Array(bytes.prefix(4)), [0x04, 0x22, 0x4d, 0x18], "\(key) is an lz4 frame")
            let lines = try ArchiveTestFiles.decompressedLines(key, bytes)
            XCTAssertFalse(lines.isEmpty, key)
            archived += lines
            for line in lines {
                // Every event sits in the partition of its event-time hour (UTC).
                XCTAssertTrue(line.contains("\"@timestamp\":\"\(day)T\(hour):"), "\(key): \(line.prefix(60))")
            }
        }
        // Every valid event of the input (parsed independently), once.
        let expected = try ArchiveTestFiles.expectedArchive(input: input)
        ArchiveTestFiles.assertSameLines(archived, expected)
        XCTAssertEqual(expected.count, try ArchiveTestFiles.summaryEvents(summary))
    }

    func testGzipObjectsAndArchiveFlagValidation() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("archive-flags")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/in.ndjson.gz"
        try ArchiveTestFiles.generate(input, events: 3000, span: "30m", malformed: 0)
        try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/gz", "--archive-compression", "gzip",
                                "--archive-sse", "AES256", "--alerts", "/dev/null"])
        let objects = try ArchiveTestFiles.objects(under: work + "/gz")
        XCTAssertFalse(objects.isEmpty)
        for (key, bytes) in objects {
            XCTAssertTrue(key.hasSuffix(".ndjson.gz") && key.contains("/in-0000"), key)
            XCTAssertEqual(Array(bytes.prefix(2)), [0x1f, 0x8b], key)
        }
        XCTAssertEqual(objects.values.map { (try? ArchiveTestFiles.decompressedLines("x.gz", $0).count) ?? 0 }.reduce(0, +), 3000)

        for (flags, message) in [(["--archive-compression", "zstd"], "--archive-compression"),
                                 (["--archive-kms-key-id", "k1"], "--archive-kms-key-id"),
                                 (["--archive-sse", "DES"], "--archive-sse"),
                                 (["--archive-flush-bytes", "lots"], "--archive-flush-bytes"),
                                 (["--archive-flush-age", "soon"], "--archive-flush-age")] {
            let result = try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/bad"] + flags, expect: 2)
            XCTAssertTrue(result.stderr.contains(message), result.stderr)
        }
        let clash = try SecStreamCLI.check(["process", "--input", input, "--input", work + "/../" + URL(fileURLWithPath: work).lastPathComponent + "/in.ndjson.gz",
                                            "--archive", work + "/clash", "--alerts", "/dev/null"], expect: 2)
        XCTAssertTrue(clash.stderr.contains("share the object name 'in'"), clash.stderr)
    }
}
