import Foundation
import XCTest

/// Thrown so XCTest reports a failure (not a skip) when the broker cannot run.
struct KafkaTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ m: String) { description = m }
}

/// A `secstream` child process running in the background (a `process --follow` instance).
final class BackgroundCLI {
    let process = Process()
    let stderrFile: String

    init(_ arguments: [String], stderrFile: String) throws {
        self.stderrFile = stderrFile
        FileManager.default.createFile(atPath: stderrFile, contents: nil)
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderrFile)
        try process.run()
    }

    var stderr: String { (try? String(contentsOfFile: stderrFile, encoding: .utf8)) ?? "" }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for the exit; returns the status (or -1 after `timeout` seconds, killing it).
    @discardableResult
    func wait(timeout: TimeInterval) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit(); return -1 }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// The alert ids of an alerts file, in file order.
func alertIDs(_ path: String) throws -> [String] {
    guard FileManager.default.fileExists(atPath: path) else { return [] }
    return try readNDJSON(path).map { $0["alert_id"] as! String }
}

/// Polls `condition` every 100 ms for up to `timeout` seconds.
func waitUntil(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(100_000)
    }
    return try condition()
}
