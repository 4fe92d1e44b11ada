import Codecs
import Foundation
import XCTest

/// `query` over an archive written by `process --archive`: every valid event
/// once, filters, projections, counts, formats, corrupt objects.
final class QueryArchiveTests: XCTestCase {
    private var work = ""
    private var input: String { work + "/events.ndjson" }
    private var archive: String { work + "/archive" }

    override func setUpWithError() throws {
        work = try ArchiveTestFiles.temporaryDirectory("query")
        // Late events beyond --lateness 5s are dead-lettered, so the archive
        // holds the input minus malformed and late lines.
        try ArchiveTestFiles.generate(input, lateFraction: 0.05, maxLateness: "20s", malformed: 0.01)
        try SecStreamCLI.check(["process", "--input", input, "--archive", archive, "--archive-flush-bytes", "512KiB",
                                "--lateness", "5s", "--dead-letter", work + "/dead.ndjson", "--alerts", work + "/alerts.ndjson"])
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: work) }

    func testQueryReturnsExactlyTheValidOnTimeInputLines() throws {
        let dead = try ArchiveTestFiles.lines(work + "/dead.ndjson")
        XCTAssertTrue(dead.contains { $0.contains("\"reason\":\"late\"") }, "the stream must have late events")
        XCTAssertTrue(dead.contains { $0.contains("\"reason\":\"malformed\"") }, "the stream must have malformed lines")
        // From the input alone: valid lines (independent parse) that were not late for --lateness 5s.
        let expected = try ArchiveTestFiles.expectedArchive(input: input, lateness: 5)
        let valid = try ArchiveTestFiles.expectedArchive(input: input)
        XCTAssertEqual(dead.filter { $0.contains("\"reason\":\"late\"") }.count, valid.count - expected.count, "late lines")
        let all = try SecStreamCLI.check(["query", archive])
        ArchiveTestFiles.assertSameLines(all.lines, expected)
        // Rows come in archive order: hour, then object name (input order within one input).
        XCTAssertEqual(try SecStreamCLI.check(["query", archive]).stdout, all.stdout)
    }

    func testWhereCountByAndSelectMatchAReferenceComputedFromTheInput() throws {
        let events = try ArchiveTestFiles.expectedArchive(input: input, lateness: 5).map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let field = ArchiveTestFiles.field
        var expected: [String: Int] = [:]
        for e in events where field(e, "event.outcome") as? String == "failure"
            && (field(e, "source.ip") as? String)?.hasPrefix("10.") == true {
            expected[field(e, "user.name") as? String ?? "", default: 0] += 1
        }
        XCTAssertGreaterThan(expected.count, 3)
        let counted = try SecStreamCLI.check(["query", archive, "--where", #"event.outcome = "failure" and source.ip in 10.0.0.0/8"#,
                                              "--count-by", "user.name", "--format", "csv"])
        var got: [String: Int] = [:]
        var previous = Int.max
        XCTAssertEqual(counted.lines.first, "user.name,count")
        for row in counted.lines.dropFirst() {
            let parts = row.split(separator: ",", omittingEmptySubsequences: false)
            let n = try XCTUnwrap(Int(parts[1]))
            XCTAssertLessThanOrEqual(n, previous, "largest first")
            previous = n
            got[String(parts[0])] = n
        }
        XCTAssertEqual(got, expected)

        // Time range, projection and limit.
        let from = "2026-11-20T11:00:00Z", to = "2026-11-20T11:10:00Z"
        let inRange = events.filter { e in
            let t = e["@timestamp"] as? String ?? ""
            return t >= "2026-11-20T11:00:00" && t < "2026-11-20T11:10:00" && field(e, "event.dataset") as? String == "web"
        }
        let selected = try SecStreamCLI.check(["query", archive, "--from", from, "--to", to, "--where", #"event.dataset = "web""#,
                                               "--select", "@timestamp,http.response.status_code,source.ip"])
        XCTAssertEqual(selected.lines.count, inRange.count)
        let firstRow = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(selected.lines.first).utf8)) as? [String: Any])
        XCTAssertEqual(Set(firstRow.keys), ["@timestamp", "http.response.status_code", "source.ip"])
        XCTAssertTrue(firstRow["http.response.status_code"] is NSNumber)
        let limited = try SecStreamCLI.check(["query", archive, "--from", from, "--to", to, "--where", #"event.dataset = "web""#,
                                              "--select", "@timestamp,http.response.status_code,source.ip", "--limit", "7"])
        XCTAssertEqual(limited.lines, Array(selected.lines.prefix(7)))
        // The range is pruned to the objects of hour 11.
        XCTAssertTrue(selected.stderr.contains("query: \(try hourObjects("hour=11")) objects"), selected.stderr)

        let table = try SecStreamCLI.check(["query", archive, "--count-by", "event.dataset", "--format", "table"])
        XCTAssertEqual(table.lines.count, 2 + 4)
        XCTAssertTrue(table.lines[0].hasPrefix("event.dataset  count"), table.lines[0])
        XCTAssertTrue(table.lines[1].hasPrefix("-------------  -----"), table.lines[1])
        XCTAssertEqual(table.lines.dropFirst(2).compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +), events.count)
    }

    func testBadExpressionIsAUsageErrorNamingTheColumn() throws {
        let result = try SecStreamCLI.check(["query", archive, "--where", "event.outcome = failure"], expect: 2)
        XCTAssertTrue(result.stderr.contains("column 17"), result.stderr)
        XCTAssertTrue(try SecStreamCLI.check(["query", archive, "--format", "csv"], expect: 2).stderr.contains("--select"))
        // A missing local archive is an input error, not an empty result (and is not created).
        let missing = try SecStreamCLI.check(["query", work + "/no-such-archive"], expect: 3)
        XCTAssertTrue(missing.stderr.contains("no archive directory"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/no-such-archive"))
        try SecStreamCLI.check(["replay", "file://" + work + "/no-such-archive"], expect: 3)
    }

    func testCorruptObjectIsNamedSkippedCountedAndExits3() throws {
        var objects = try ArchiveTestFiles.objects(under: archive).sorted { $0.key < $1.key }
        let (victim, bytes) = objects.remove(at: objects.count / 2)
        let lost = try ArchiveTestFiles.decompressedLines(victim, bytes).count
        // Truncate it: an lz4 frame cut in the middle.
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: archive + "/" + victim))
        let total = try ArchiveTestFiles.expectedArchive(input: input, lateness: 5).count

        let query = try SecStreamCLI.check(["query", archive, "--count-by", "event.dataset"], expect: 3)
        XCTAssertTrue(query.stderr.contains(victim) && query.stderr.contains("corrupt object skipped"), query.stderr)
        XCTAssertTrue(query.stderr.contains("(1 corrupt, skipped)"), query.stderr)
        let counted = try query.lines.map { line -> Int in
            let row = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try XCTUnwrap(row["count"] as? Int)
        }.reduce(0, +)
        XCTAssertEqual(counted, total - lost)

        let replay = try SecStreamCLI.check(["replay", archive, "--alerts", "/dev/null"], expect: 3)
        XCTAssertTrue(replay.stderr.contains(victim) && replay.stderr.contains("corrupt object skipped"), replay.stderr)
        XCTAssertTrue(replay.stderr.contains("\(total - lost) events"), replay.stderr)
    }

    private func hourObjects(_ hour: String) throws -> Int {
        try ArchiveTestFiles.objects(under: archive).keys.filter { $0.contains(hour) }.count
    }
}
