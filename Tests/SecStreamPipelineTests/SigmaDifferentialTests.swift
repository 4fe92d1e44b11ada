import Foundation
import TestSupport
import XCTest

/// secstream's Windows Sigma detection against the reference implementation, pySigma
/// (SQLite backend + its Windows/Sysmon routing, Zircolite's method), over the whole SigmaHQ
/// Windows pack read in place from `<shared>/testdata/sigmahq/rules/windows` and synthesized
/// evtx-JSON events (positives, near misses, noise): per rule, the matched lines must be the
/// same (tests/interop/sigma_differential.py; rules left out are listed there with why).
final class SigmaDifferentialTests: XCTestCase {
    static let windowsRules = TestPaths.sharedDirectory + "/testdata/sigmahq/rules/windows"

    /// Runs a Python helper of the package with arguments; (exit code, stdout + stderr).
    private func python(_ script: String, _ arguments: [String]) throws -> (Int32, String) {
        try PythonVenv.requireVenv()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PythonVenv.python)
        process.arguments = [TestPaths.packageRoot + "/" + script] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.packageRoot)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// pipelines/windows-evtx.yml is what tests/interop/sigma_windows_pipeline.py derives from
    /// the pinned pySigma packages, and pySigma's ProcessingPipeline.from_yaml loads it.
    func testWindowsPipelineLoadsInPySigmaAndMatchesItsRoutingTable() throws {
        let (code, output) = try python("tests/interop/sigma_windows_pipeline.py", ["--check"])
        XCTAssertEqual(code, 0, output)
    }

    func testSigmaHQWindowsRulesMatchTheSameEventsAsPySigma() throws {
        guard FileManager.default.fileExists(atPath: Self.windowsRules) else {
            XCTFail("no SigmaHQ Windows rules at \(Self.windowsRules)")
            return
        }
        let binary = SecStreamCLI.binary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            XCTFail("no secstream binary at \(binary): build with swift build --build-tests")
            return
        }
        let work = NSTemporaryDirectory() + "sigma-differential-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let environment = ProcessInfo.processInfo.environment
        let pipeline = environment["SIGMA_DIFF_PIPELINE"] ?? "windows-evtx"
        let (code, output) = try python("tests/interop/sigma_differential.py", [
            "--secstream", binary, "--pipeline", pipeline, "--rules", Self.windowsRules, "--work", work,
            "--per-rule", "2", "--near-per-rule", "2", "--noise", "2000",
        ])
        // The report: rules compared and left out (with why), timings, and the first differences.
        print(output)
        XCTAssertEqual(code, 0, "secstream and pySigma differ (secstream-only lines = over-matching, "
            + "pySigma-only = under-matching):\n" + output.suffix(12_000))
        let summaryLine = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) ?? ""
        let summary = try JSONSerialization.jsonObject(with: Data(summaryLine.utf8)) as? [String: Any] ?? [:]
        // The differential must cover the pack, not a handful of rules that happen to load.
        XCTAssertGreaterThan(summary["compared"] as? Int ?? 0, 2_000, output.suffix(4_000).description)
        XCTAssertGreaterThan(summary["with_matches"] as? Int ?? 0, 1_900, output.suffix(4_000).description)
    }
}
