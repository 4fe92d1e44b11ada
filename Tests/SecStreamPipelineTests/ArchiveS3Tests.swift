import Foundation
import ObjectStore
import TestSupport
import XCTest

/// The archive on S3 (moto): `process --archive s3://…` writes the same
/// objects as the directory store, `query` counts them, `replay` gives the
/// live alert ids. Endpoint and credentials come from the standard AWS
/// environment, as users give them.
final class ArchiveS3Tests: XCTestCase {
    nonisolated(unsafe) static var server: LocalServer?
    nonisolated(unsafe) static var startError: Error?

    override class func setUp() {
        super.setUp()
        do { server = try LocalServer.moto() } catch { startError = error }
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    func testProcessQueryAndReplayOverS3() throws {
        if let error = Self.startError { throw error }  // fail loudly: no server, no test
        let server = try XCTUnwrap(Self.server)
        let s3 = try MotoBucket(endpoint: server.endpointURL, prefix: "archive")
        let environment = s3.environment, bucket = s3.name, admin = s3.admin

        let work = try ArchiveTestFiles.temporaryDirectory("archive-s3")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/events.ndjson"
        try ArchiveTestFiles.generate(input, events: 15_000, lateFraction: 0.05, maxLateness: "20s")
        let uri = "s3://\(bucket)/logs/run"
        let live = try SecStreamCLI.check(["process", "--input", input, "--archive", uri, "--archive-flush-bytes", "256KiB",
                                           "--archive-sse", "AES256", "--alerts", work + "/live.ndjson",
                                           "--dead-letter", work + "/dead.ndjson"], environment: environment)
        try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/local", "--archive-flush-bytes", "256KiB",
                                "--alerts", "/dev/null"])

        // The same keys and bytes as the directory archive.
        let local = try ArchiveTestFiles.objects(under: work + "/local")
        let listed = try admin.listAll(prefix: "logs/run/").objects
        XCTAssertEqual(listed.map(\.key).sorted(), local.keys.map { "logs/run/" + $0 }.sorted())
        for key in local.keys.sorted().prefix(3) {
            XCTAssertEqual(try admin.get(key: "logs/run/" + key), local[key], key)
        }

        // What the archive must hold, from the input alone (an independent parse).
        let expectedLines = try ArchiveTestFiles.expectedArchive(input: input)
        XCTAssertEqual(expectedLines.count, try ArchiveTestFiles.summaryEvents(live.stderr))
        let expected = expectedLines.count
        let counted = try SecStreamCLI.check(["query", uri, "--count-by", "event.dataset", "--format", "csv"], environment: environment)
        XCTAssertEqual(counted.lines.dropFirst().compactMap { Int($0.split(separator: ",").last ?? "") }.reduce(0, +), expected)
        let rows = try SecStreamCLI.check(["query", uri], environment: environment)
        ArchiveTestFiles.assertSameLines(rows.lines, expectedLines)

        let replay = try SecStreamCLI.check(["replay", uri, "--alerts", work + "/replay.ndjson"], environment: environment)
        let liveIds = try ArchiveTestFiles.alertIds(file: work + "/live.ndjson")
        XCTAssertGreaterThan(liveIds.count, 5)
        XCTAssertEqual(try ArchiveTestFiles.alertIds(file: work + "/replay.ndjson"), liveIds, replay.stderr)

        // A store that is not there is a remote failure: exit 4, one line naming it.
        let down = try SecStreamCLI.check(["query", "s3://\(bucket)-missing/x"], expect: 4, environment: environment)
        XCTAssertTrue(down.stderr.contains("\(bucket)-missing"), down.stderr)
        let unwritable = try SecStreamCLI.check(["process", "--input", input, "--archive", "s3://\(bucket)-missing/x",
                                                 "--alerts", "/dev/null"], expect: 4, environment: environment)
        XCTAssertTrue(unwritable.stderr.contains("s3://\(bucket)-missing/x/dt=2026-11-20/hour="), unwritable.stderr)
        XCTAssertEqual(unwritable.stderr.split(separator: "\n").filter { $0.contains("NoSuchBucket") }.count, 1, unwritable.stderr)
    }
}
