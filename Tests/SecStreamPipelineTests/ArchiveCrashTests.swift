import Foundation
import XCTest

/// A `process --archive` killed with SIGKILL mid-run, then run again over the
/// same input, leaves every event in the archive exactly once.
///
/// Objects are named after their input and first line, and cut where the
/// data says, so the re-run overwrites what the killed run uploaded. Here the
/// re-run also uses another flush size, so the killed run's objects have
/// names the re-run does not produce: the writer's end-of-run sweep deletes
/// those orphans (objects of the same input, in the hours it wrote, that it
/// did not write itself).
final class ArchiveCrashTests: XCTestCase {
    func testKillNineThenRerunKeepsEveryEventExactlyOnce() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("archive-crash")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/events.ndjson"
        let archive = work + "/archive"
        try ArchiveTestFiles.generate(input, events: 60_000, span: "2h", malformed: 0.001)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: SecStreamCLI.binary)
        process.arguments = ["process", "--input", input, "--archive", archive, "--archive-flush-bytes", "64KiB",
                             "--alerts", "/dev/null", "--dead-letter", work + "/dead-killed.ndjson"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while try ArchiveTestFiles.objects(under: archive).count < 12 && process.isRunning && Date() < deadline {
            usleep(20_000)
        }
        XCTAssertTrue(process.isRunning, "the run finished before it could be killed: make the input larger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        let killed = Set(try ArchiveTestFiles.objects(under: archive).keys)
        XCTAssertGreaterThanOrEqual(killed.count, 12)

        let rerun = try SecStreamCLI.check(["process", "--input", input, "--archive", archive, "--archive-flush-bytes", "256KiB",
                                            "--alerts", "/dev/null", "--dead-letter", work + "/dead.ndjson"])
        let after = Set(try ArchiveTestFiles.objects(under: archive).keys)
        XCTAssertFalse(killed.subtracting(after).isEmpty, "the killed run's differently cut objects are orphans")

        // The expected set comes from the input alone (an independent parse), not from the run's dead letters or summary.
        let expected = try ArchiveTestFiles.expectedArchive(input: input)
        XCTAssertEqual(expected.count, try ArchiveTestFiles.summaryEvents(rerun.stderr))
        let all = try SecStreamCLI.check(["query", archive])
        ArchiveTestFiles.assertSameLines(all.lines, expected)
    }
}
