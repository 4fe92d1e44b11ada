import XCTest
@testable import ObjectStore

final class S3ResponseParsingTests: XCTestCase {
    func testErrorDocumentBecomesCodeMessageAndRequestId() {
        let body = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>AccessDenied</Code><Message>Access Denied &amp; logged &lt;here&gt; &#233;</Message>\
            <RequestId>4442587FB7D0A2F9</RequestId><HostId>abc</HostId></Error>
            """.utf8)
        let error = S3ErrorXML(response: HTTPResponse(status: 403, headers: [:], body: body))
        XCTAssertEqual(error.code, "AccessDenied")
        XCTAssertEqual(error.message, "Access Denied & logged <here> é")
        XCTAssertEqual(error.requestId, "4442587FB7D0A2F9")

        let headOnly = S3ErrorXML(response: HTTPResponse(status: 403, headers: ["x-amz-request-id": "R1"], body: []))
        XCTAssertEqual(headOnly.code, "Forbidden")
        XCTAssertEqual(headOnly.requestId, "R1")

        let html = S3ErrorXML(response: HTTPResponse(status: 502, headers: [:], body: Array("<html>\nBad gateway\n</html>".utf8)))
        XCTAssertNil(html.code)
        XCTAssertEqual(html.message, "<html> Bad gateway </html>")
    }

    func testTimes() {
        XCTAssertEqual(S3Time.parseISO8601("2026-11-20T13:05:09.123Z"), 1_795_179_909_123)
        XCTAssertEqual(S3Time.parseISO8601("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(S3Time.parseHTTPDate("Fri, 20 Nov 2026 13:05:09 GMT"), 1_795_179_909_000)
        XCTAssertNil(S3Time.parseISO8601("yesterday"))
        XCTAssertEqual(SigV4Signer.amzDate(epochSeconds: 1_795_179_909), "20261120T130509Z")
    }

    func testRetryDelaysGrowExponentiallyWithinTheCap() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelayMillis: 100, maxDelayMillis: 1_000)
        for attempt in 1...9 {
            let ceiling = min(1_000, 100 << (attempt - 1))
            let delays = (0..<200).map { _ in policy.delayMillis(afterAttempt: attempt) }
            XCTAssertTrue(delays.allSatisfy { $0 >= 0 && $0 <= ceiling }, "attempt \(attempt)")
            XCTAssertGreaterThan(Set(delays).count, 10, "jittered, attempt \(attempt)")
        }
        XCTAssertTrue(RetryPolicy.isRetryable(status: 503, code: "SlowDown"))
        XCTAssertTrue(RetryPolicy.isRetryable(status: 500, code: nil))
        XCTAssertTrue(RetryPolicy.isRetryable(status: 400, code: "RequestTimeout"))
        XCTAssertFalse(RetryPolicy.isRetryable(status: 403, code: "SignatureDoesNotMatch"))
        XCTAssertFalse(RetryPolicy.isRetryable(status: 404, code: "NoSuchKey"))
    }
}

/// Inputs the libFuzzer target FuzzS3XML found (fixtures/fuzz/regressions/FuzzS3XML/).
final class S3FuzzRegressionTests: XCTestCase {
    /// A `Last-Modified` or `Date` header with a 19-digit year trapped on
    /// arithmetic overflow in the day count; it is no date, so nil.
    func testHTTPDateWithAHugeYearIsNotADate() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/fuzz/regressions/FuzzS3XML/http-date-year-overflow.txt")
        let found = try String(contentsOf: path, encoding: .utf8)
        XCTAssertNil(S3Time.parseHTTPDate(found))
        XCTAssertNil(S3Time.parseHTTPDate("Fri, 20 Nov -99999999999999999 13:05:09 GMT"))
        XCTAssertNil(S3Time.parseHTTPDate("Fri, 20 Nov 2026 99999999999999:05:09 GMT"))
        XCTAssertNil(S3Time.parseHTTPDate("Fri, 99999999999999999 Nov 2026 13:05:09 GMT"))
        XCTAssertNil(S3Time.parseISO8601("2026-13-20T13:05:09Z"))
        XCTAssertNil(S3Time.parseISO8601("2026-11-20T25:05:09Z"))
        // Real dates at the edges still parse.
        XCTAssertEqual(S3Time.parseHTTPDate("Thu, 01 Jan 1970 00:00:00 GMT"), 0)
        XCTAssertEqual(S3Time.parseHTTPDate("Fri, 31 Dec 9999 23:59:59 GMT"), 253_402_300_799_000)
        XCTAssertEqual(S3Time.parseISO8601("2016-12-31T23:59:60Z"), 1_483_228_800_000)
    }
}
