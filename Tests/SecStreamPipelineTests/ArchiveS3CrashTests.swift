import Foundation
import ObjectStore
import TestSupport
import XCTest

/// A `process --archive s3://…` killed with SIGKILL mid-run, then run again
/// over the same input, leaves every event in the S3 archive exactly once:
/// the S3 counterpart of ArchiveCrashTests. The server is nanio, which checks
/// the SigV4 signature of every request (moto with authentication rejects
/// valid signatures on keys with `=`, which every archive key has). The
/// expected events come from the input alone (an independent parse).
final class ArchiveS3CrashTests: XCTestCase {
    static let accessKey = "AKIASECSTREAMCRASH01"
    static let secretKey = "secstream/crash+secret=key0123456789ab"
    nonisolated(unsafe) static var server: LocalServer?
    nonisolated(unsafe) static var startError: Error?

    override class func setUp() {
        super.setUp()
        do { server = try LocalServer.nanio(accessKey: accessKey, secretKey: secretKey) } catch { startError = error }
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    func testKillNineThenRerunKeepsEveryEventExactlyOnceOnS3() throws {
        if let error = Self.startError { throw error }  // no server, no test: a failure
        let server = try XCTUnwrap(Self.server)
        let environment = ["AWS_ENDPOINT_URL": server.endpointURL, "AWS_ACCESS_KEY_ID": Self.accessKey,
                           "AWS_SECRET_ACCESS_KEY": Self.secretKey, "AWS_REGION": "us-east-1"]
        let bucket = "crash-\(UInt32.random(in: 0...UInt32.max))"
        let admin = try XCTUnwrap(try ObjectStoreURI.open("s3://\(bucket)", environment: environment) as? S3ObjectStore)
        try admin.createBucket()
        func keys() throws -> Set<String> { Set(try admin.listAll(prefix: "crash/").objects.map(\.key)) }

        let work = try ArchiveTestFiles.temporaryDirectory("archive-s3-crash")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/events.ndjson"
        try ArchiveTestFiles.generate(input, events: 60_000, span: "2h", malformed: 0.001)
        let uri = "s3://\(bucket)/crash"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: SecStreamCLI.binary)
        process.arguments = ["process", "--input", input, "--archive", uri, "--archive-flush-bytes", "64KiB",
                             "--alerts", "/dev/null", "--dead-letter", work + "/dead-killed.ndjson"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while try keys().count < 12 && process.isRunning && Date() < deadline {
            usleep(20_000)
        }
        XCTAssertTrue(process.isRunning, "the run finished before it could be killed: make the input larger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        let killed = try keys()
        XCTAssertGreaterThanOrEqual(killed.count, 12)

        let rerun = try SecStreamCLI.check(["process", "--input", input, "--archive", uri, "--archive-flush-bytes", "256KiB",
                                            "--alerts", "/dev/null", "--dead-letter", work + "/dead.ndjson"], environment: environment)
        let after = try keys()
        XCTAssertFalse(killed.subtracting(after).isEmpty, "the killed run's differently cut objects are orphans, deleted")

        let expected = try ArchiveTestFiles.expectedArchive(input: input)
        let lineCount = try ArchiveTestFiles.lines(input).count
        XCTAssertLessThan(expected.count, lineCount, "the input has malformed lines, which are not archived")
        XCTAssertEqual(expected.count, try ArchiveTestFiles.summaryEvents(rerun.stderr))
        let all = try SecStreamCLI.check(["query", uri], environment: environment)
        ArchiveTestFiles.assertSameLines(all.lines, expected)
    }
}
