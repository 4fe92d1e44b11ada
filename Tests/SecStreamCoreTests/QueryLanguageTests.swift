import XCTest
import TestSupport
@testable import SecStreamCore

/// The `--where` language: grammar, precedence, every operator, CIDR, times,
/// missing fields and arrays, and parse errors with their column.
final class QueryLanguageTests: XCTestCase {
    private let event = #"""
    {"@timestamp":"2026-11-20T13:30:00.250Z","event":{"outcome":"failure","dataset":"auth"},"user":{"name":"al\"ice"},"source":{"ip":"10.1.2.3","port":2222,"bytes":1500.5},"destination.ip":"2001:db8::7","host.name":"web-01.example.org","ok":true,"bad":false,"nothing":null,"seen":"2026-11-20T14:00:00+01:00","tags":["ssh","brute"],"ports":[22,443],"num_text":"42"}
    """#

    /// Evaluates `expression` on `line` through the same path `query` uses:
    /// compile into a schema, scan the line, evaluate on the slots.
    private func eval(_ expression: String, _ line: String? = nil, file: StaticString = #filePath, line fileLine: UInt = #line) throws -> Bool {
        let schema = FieldSchema(paths: ["@timestamp"])
        let query = try CompiledQuery(parsing: expression, schema: schema, timeField: "@timestamp")
        let scanner = FieldScanner(schema: schema)
        var evaluator = QueryEvaluator(query)
        let slots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: schema.count)
        defer { slots.deallocate() }
        let text = line ?? event
        return try Array(text.utf8).withUnsafeBytes { bytes in
            let result = scanner.scan(bytes, into: slots)
            XCTAssertTrue(result.isOK, "\(result)", file: file, line: fileLine)
            if !result.isOK { throw CocoaError(.coderReadCorrupt) }
            return evaluator.matches(EventView(line: bytes, slots: UnsafeBufferPointer(slots)))
        }
    }

    private func assertTrue(_ e: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue((try? eval(e, file: file, line: line)) == true, e, file: file, line: line)
    }

    private func assertFalse(_ e: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue((try? eval(e, file: file, line: line)) == false, e, file: file, line: line)
    }

    private func assertError(_ e: String, column: Int, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try QueryParser.parse(e), e, file: file, line: line) { error in
            let q = error as? QueryError
            XCTAssertEqual(q?.column, column, "\(e): \(error)", file: file, line: line)
            XCTAssertTrue(q?.message.contains(text) == true, "\(e): \(error)", file: file, line: line)
        }
    }

    func testPrecedenceNotThenAndThenOr() throws {
        XCTAssertEqual(try QueryParser.parse("a = 1 or b = 2 and c = 3").description, "(a = 1 or (b = 2 and c = 3))")
        XCTAssertEqual(try QueryParser.parse("not a = 1 and b = 2").description, "((not a = 1) and b = 2)")
        XCTAssertEqual(try QueryParser.parse("(a = 1 or b = 2) and not (c = 3)").description, "((a = 1 or b = 2) and (not c = 3))")
        XCTAssertEqual(try QueryParser.parse("a=1 OR b=2 AND NOT exists c").description, "(a = 1 or (b = 2 and (not exists c)))")
        XCTAssertEqual(try QueryParser.parse("x in [1, \"a\", true, null] and y in 10.0.0.0/8").description,
                       "(x in [1, \"a\", true, null] and y in 10.0.0.0/8)")
        // Evaluation follows the same precedence.
        assertTrue(#"event.outcome = "success" or user.name = "al\"ice" and source.port = 2222"#)
        assertFalse(#"(event.outcome = "success" or user.name = "al\"ice") and source.port = 1"#)
        assertTrue(#"not event.outcome = "success" and not not ok = true"#)
    }

    func testComparisonsOnStringsNumbersBooleansAndNull() {
        assertTrue(#"event.outcome = "failure""#)
        assertTrue(#"event.outcome == "failure""#)
        assertFalse(#"event.outcome = "fail""#)
        assertTrue(#"event.outcome != "success""#)
        assertTrue(#"user.name = "al\"ice""#)  // escaped in the event, unescaped in the literal
        assertTrue(#"event.dataset < "b" and event.dataset <= "auth" and event.dataset > "aa" and event.dataset >= "auth""#)
        assertTrue("source.port = 2222 and source.port >= 2222 and source.port < 2223 and source.port > 22.5")
        assertFalse("source.port <= 2221")
        assertTrue("source.bytes > 1500 and source.bytes = 1500.5 and source.bytes != 1500")
        assertTrue("num_text = 42 and num_text > 41")  // numeric strings compare as numbers
        assertTrue("ok = true and bad = false and ok != false and nothing = null and ok != null")
        assertFalse("nothing != null")
        // Different types are unequal and unordered.
        assertFalse(#"source.port = "2222""#)
        assertTrue(#"source.port != "2222""#)
        assertFalse("event.outcome > 5")
        assertTrue("ok > false and bad < true and bad <= false")  // false < true, as in SQL
        assertFalse("ok < true")
    }

    func testMissingFieldsAreFalseExceptNotEqual() {
        for test in [#"missing = "x""#, "missing < 3", "missing >= 3", #"missing in ["x"]"#, "missing in 10.0.0.0/8",
                     #"missing contains "x""#, #"missing startswith "x""#, #"missing endswith "x""#,
                     #"missing matches ".*""#, "exists missing", "missing = null"] {
            assertFalse(test)
        }
        assertTrue(#"missing != "x""#)
        assertTrue("missing != null")
        assertTrue("not exists missing and exists nothing and exists source.ip and exists event")
    }

    func testListsAndStringOperators() {
        assertTrue(#"event.dataset in ["web", "auth"]"#)
        assertFalse(#"event.dataset in ["web", "dns"]"#)
        assertTrue("source.port in [22, 2222]")
        assertTrue(#"host.name contains ".example." and host.name startswith "web-" and host.name endswith ".org""#)
        assertFalse(#"host.name contains "EXAMPLE""#)  // case-sensitive
        assertFalse(#"host.name startswith "eb""#)
        assertTrue(#"host.name matches "^web-[0-9]+\.example\.(org|com)$""#)
        assertTrue(#"host.name matches "web-\\d+""#)
        assertFalse(#"host.name matches "^db-""#)
        assertTrue(#"source.port startswith "22""#)  // numbers are matched on their text
        assertTrue(#"host.name contains """#)
    }

    func testArraysMatchAnyElement() {
        assertTrue(#"tags = "brute""#)
        assertTrue(#"tags in ["x", "ssh"]"#)
        assertTrue(#"tags startswith "bru""#)
        assertTrue("ports > 400 and ports < 23")
        assertFalse(#"tags != "ssh""#)  // an array is != only when no element is equal
        assertTrue(#"tags != "ftp""#)
    }

    func testCIDRv4AndV6() {
        assertTrue("source.ip in 10.0.0.0/8")
        assertTrue("source.ip in 10.1.2.0/24 and source.ip in 10.1.2.3/32 and source.ip in 10.1.2.3")
        assertFalse("source.ip in 10.1.3.0/24")
        assertFalse("source.ip in 192.168.0.0/16")
        assertTrue(#"source.ip in "10.0.0.0/8""#)
        assertTrue("destination.ip in 2001:db8::/32")
        assertFalse("destination.ip in 2001:db9::/32")
        assertFalse("destination.ip in 10.0.0.0/8")
        assertTrue("source.ip in ::ffff:10.0.0.0/104")  // v4 addresses are v4-mapped v6
        assertFalse("host.name in 10.0.0.0/8")  // not an address
    }

    func testTimesCompareAsInstants() {
        assertTrue(#"@timestamp >= "2026-11-20T13:00:00Z" and @timestamp < "2026-11-20T14:00:00Z""#)
        assertTrue(#"@timestamp = "2026-11-20T14:30:00.250+01:00""#)  // same instant, other offset
        assertTrue(#"@timestamp > "2026-11-20" and @timestamp < "2026-11-21""#)  // dates are midnight UTC
        assertTrue("@timestamp = 1795181400250")  // epoch milliseconds
        assertFalse(#"@timestamp < "2026-11-20T13:30:00.250Z""#)
        // Any field compares as a time when both sides are RFC 3339.
        assertTrue(#"seen = "2026-11-20T13:00:00Z" and seen < "2026-11-20T13:00:01Z""#)
        // Epoch-millisecond events compare with RFC 3339 literals too.
        XCTAssertEqual(try eval(#"@timestamp >= "2026-11-20T13:30:00Z""#, #"{"@timestamp":1795181400250}"#), true)
        XCTAssertEqual(try eval(#"@timestamp >= "2026-11-20T13:31:00Z""#, #"{"@timestamp":1795181400250}"#), false)
        XCTAssertThrowsError(try eval(#"@timestamp > "yesterday""#)) { error in
            XCTAssertTrue("\(error)".contains("not a time"), "\(error)")
        }
    }

    /// FuzzQuery (fixtures/fuzz/regressions/FuzzQuery/): a number too large for
    /// epoch milliseconds compared with the time field trapped converting the
    /// Double to Int64; it is a query error now. Other fields compare it as a number.
    func testTimeLiteralOutOfEpochRangeIsAnError() throws {
        let found = try String(contentsOfFile: TestPaths.packageRoot + "/fixtures/fuzz/regressions/FuzzQuery/time-literal-out-of-range.txt",
                               encoding: .utf8)
        for query in [found, "@timestamp = 3975907000125222222222222222222222222", "@timestamp > -1e19",
                      "@timestamp in [1, 1e300]", "not @timestamp < 9.3e18"] {
            XCTAssertThrowsError(try eval(query), query) { error in
                XCTAssertTrue("\(error)".contains("out of range for the time field '@timestamp'"), "\(query): \(error)")
            }
        }
        assertTrue("@timestamp > -9.1e18 and @timestamp < 9.1e18")
        assertFalse("source.port = 3975907000125222222222222222222222222")
        assertTrue("source.port < 1e300")
    }

    func testParseErrorsNameTheColumn() {
        assertError("", column: 1, contains: "expected a field name")
        assertError("a = ", column: 5, contains: "expected a value")
        assertError("a = foo", column: 5, contains: "quote strings")
        assertError("a == 1 and", column: 11, contains: "expected a field name")
        assertError("a ~ 1", column: 3, contains: "expected an operator")
        assertError("(a = 1", column: 7, contains: "expected ')'")
        assertError("a = 1)", column: 6, contains: "unexpected ')'")
        assertError("a in [1, 2", column: 11, contains: "expected ',' or ']'")
        assertError("a in []", column: 7, contains: "empty list")
        assertError("a in 10.0.0.0/33", column: 6, contains: "not a CIDR block")
        assertError("a contains x", column: 12, contains: "quoted string")
        assertError(#"a = "open"#, column: 5, contains: "unterminated string")
        assertError("a ! b", column: 3, contains: "'!' must be followed by '='")
        assertError("and = 1", column: 1, contains: "expected a field name")
        assertError("a = 1 b = 2", column: 7, contains: "unexpected 'b'")
        XCTAssertThrowsError(try CompiledQuery(parsing: #"a matches "(""#, schema: FieldSchema(), timeField: "@timestamp")) { error in
            XCTAssertTrue("\(error)".contains("bad regex"), "\(error)")
        }
    }

    /// `matches` runs on RE2 like rules' `|re`: a nested quantifier over a
    /// 10 KiB value that a backtracking engine needs ~2^10000 steps for takes
    /// linear time, and constructs without a linear-time engine are refused.
    func testMatchesRunsInLinearTime() throws {
        let value = String(repeating: "a", count: 10_240) + "!"
        let line = #"{"@timestamp":"2026-11-20T13:30:00Z","url":"\#(value)"}"#
        let start = ProcessInfo.processInfo.systemUptime
        XCTAssertFalse(try eval(#"url matches "^(a+)+$""#, line))
        XCTAssertTrue(try eval(#"url matches "^(a|aa)+!$""#, line))
        XCTAssertLessThan(ProcessInfo.processInfo.systemUptime - start, 5, "two evaluations of 10 KiB, not exponential")
        XCTAssertThrowsError(try CompiledQuery(parsing: #"a matches "(x)\\1""#, schema: FieldSchema(), timeField: "@timestamp")) { error in
            XCTAssertTrue("\(error)".contains("backreference"), "\(error)")
        }
    }

    func testFieldsAreCompiledIntoTheSchema() throws {
        let schema = FieldSchema(paths: ["@timestamp"])
        let q = try CompiledQuery(parsing: #"a.b = 1 or (exists c and a.b in [2]) or d contains "x""#, schema: schema, timeField: "@timestamp")
        XCTAssertEqual(q.expression.fields, ["a.b", "c", "d"])
        XCTAssertEqual(schema.paths, ["@timestamp", "a.b", "c", "d"])
    }
}
