import Foundation
import TestSupport
import XCTest

/// DuckDB reads the gzip archive as it is (Hive partitions, NDJSON) and
/// counts what `query` counts.
final class ArchiveDuckDBTests: XCTestCase {
    func testDuckDBReadsTheGzipArchiveWithTheSameCounts() throws {
        try PythonVenv.requireVenv()
        let work = try ArchiveTestFiles.temporaryDirectory("archive-duckdb")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/events.ndjson"
        // (DuckDB's inet extension cannot be installed offline: the generator's
        // addresses are IPv4 text, so the prefix `10.` is the same test as 10.0.0.0/8.)
        // Nested events only: DuckDB reads `{"source":{"ip":..}}` as a struct,
        // while secstream also reads the flat `"source.ip"` spelling.
        try ArchiveTestFiles.generate(input, events: 15_000, malformed: 0)
        let nested = try ArchiveTestFiles.lines(input).filter { !$0.contains("\"event.dataset\"") }
        try Data((nested.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: work + "/nested.ndjson"))
        try SecStreamCLI.check(["process", "--input", work + "/nested.ndjson", "--archive", work + "/archive",
                                "--archive-compression", "gzip", "--archive-flush-bytes", "256KiB", "--alerts", "/dev/null"])

        let script = """
        import duckdb, json, sys
        con = duckdb.connect()
        src = f"read_json('{sys.argv[1]}/**/*.ndjson.gz', hive_partitioning=true, sample_size=-1, union_by_name=true)"
        total = con.execute(f"SELECT count(*) FROM {src}").fetchone()[0]
        by_hour = con.execute(f"SELECT dt::VARCHAR || ' ' || lpad(hour::VARCHAR, 2, '0'), count(*) FROM {src} GROUP BY ALL ORDER BY 1").fetchall()
        users = con.execute(f\"\"\"SELECT "user".name, count(*) FROM {src}
            WHERE event.outcome = 'failure' AND starts_with(source.ip, '10.') GROUP BY ALL\"\"\").fetchall()
        print(json.dumps({"total": total, "hours": {h: n for h, n in by_hour}, "users": {u: n for u, n in users}}))
        """
        try Data(script.utf8).write(to: URL(fileURLWithPath: work + "/count.py"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PythonVenv.python)
        process.arguments = [work + "/count.py", work + "/archive"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, stderr)
        let duck = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], stderr)

        let total = try SecStreamCLI.check(["query", work + "/archive", "--count-by", "event.dataset"]).lines.map { line -> Int in
            let row = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try XCTUnwrap(row["count"] as? Int)
        }.reduce(0, +)
        XCTAssertEqual(duck["total"] as? Int, total)
        XCTAssertEqual(total, nested.count)

        var users: [String: Int] = [:]
        for line in try SecStreamCLI.check(["query", work + "/archive", "--where", #"event.outcome = "failure" and source.ip in 10.0.0.0/8"#,
                                            "--count-by", "user.name"]).lines {
            let row = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            users[try XCTUnwrap(row["user.name"] as? String)] = try XCTUnwrap(row["count"] as? Int)
        }
        XCTAssertGreaterThan(users.count, 3)
        XCTAssertEqual(duck["users"] as? [String: Int], users)

        // Hour partitions: DuckDB's dt/hour columns against secstream's --from/--to pruning.
        let hours = try XCTUnwrap(duck["hours"] as? [String: Int])
        XCTAssertEqual(hours.count, 4)
        for (hour, n) in hours {
            let start = hour.replacingOccurrences(of: " ", with: "T") + ":00:00Z"
            let next = EventTimeText.plusHour(start)
            let rows = try SecStreamCLI.check(["query", work + "/archive", "--from", start, "--to", next, "--count-by", "event.dataset", "--format", "csv"])
            XCTAssertEqual(rows.lines.dropFirst().compactMap { Int($0.split(separator: ",").last ?? "") }.reduce(0, +), n, hour)
        }
    }
}

/// RFC 3339 arithmetic for test ranges.
enum EventTimeText {
    static func plusHour(_ text: String) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: formatter.date(from: text)!.addingTimeInterval(3600))
    }
}
