import Foundation
import XCTest

/// Thrown so XCTest reports a failure (not a skip) when the broker cannot run.
struct KafkaTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ m: String) { description = m }
}

/// A `secstream` child process running in the background (a `process --follow` instance).
/// With `readyFile`, it is given `--ready-file` and the test waits for its
/// readiness lines (`waitReady`) instead of sleeping.
final class BackgroundCLI {
    let process = Process()
    let stderrFile: String
    let readyFile: String?

    init(_ arguments: [String], stderrFile: String, readyFile: String? = nil) throws {
        self.stderrFile = stderrFile
        self.readyFile = readyFile
        FileManager.default.createFile(atPath: stderrFile, contents: nil)
        process.executableURL = CLI.binary
        process.arguments = arguments + (readyFile.map { ["--ready-file", $0] } ?? [])
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

    /// The readiness lines written so far, in order.
    var readyEvents: [ReadyEvent] {
        guard let readyFile, let text = try? String(contentsOfFile: readyFile, encoding: .utf8) else { return [] }
        // A line being written has no newline yet: only complete lines count.
        return text.split(separator: "\n", omittingEmptySubsequences: true).dropLast(text.hasSuffix("\n") ? 0 : 1).compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))).flatMap { $0 as? [String: Any] }.map(ReadyEvent.init)
        }
    }

    /// Waits until `condition` holds (checked every 50 ms). Fails at once when
    /// the process exits first (its status and stderr), else after `timeout`
    /// seconds, naming `what` and showing the readiness lines and stderr.
    func waitFor(_ what: String, timeout: TimeInterval = 60, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if try condition() { return }
            if !process.isRunning {
                if try condition() { return }
                throw KafkaTestFailure("waiting for \(what): secstream exited with status \(process.terminationStatus)"
                    + (process.terminationReason == .uncaughtSignal ? " (signal)" : "") + "\n" + diagnostics)
            }
            if Date() > deadline {
                throw KafkaTestFailure("waiting for \(what): not within \(Int(timeout)) s\n" + diagnostics)
            }
            usleep(50_000)
        }
    }

    /// Throws (with the diagnostics) when the process is no longer running:
    /// for waits on another instance that must stay up meanwhile.
    func checkRunning(_ name: String) throws {
        if !process.isRunning {
            throw KafkaTestFailure("\(name) exited with status \(process.terminationStatus) while the test waited\n" + diagnostics)
        }
    }

    /// Waits until the readiness lines satisfy `condition`; see `waitFor`.
    func waitReady(_ what: String, timeout: TimeInterval = 60, _ condition: ([ReadyEvent]) throws -> Bool) throws {
        precondition(readyFile != nil, "started without a ready file")
        try waitFor(what, timeout: timeout) { try condition(readyEvents) }
    }

    var diagnostics: String {
        let ready = readyFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
        return "ready file:\n" + String(ready.suffix(2500)) + "stderr:\n" + String(stderr.suffix(2500))
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// One `--ready-file` line.
struct ReadyEvent {
    let fields: [String: Any]
    init(_ fields: [String: Any]) { self.fields = fields }

    var kind: String { fields["ready"] as? String ?? "" }
    var path: String? { fields["path"] as? String }

    /// `caught-up` of files: path -> bytes read.
    var fileOffsets: [String: Int] {
        var out: [String: Int] = [:]
        for f in fields["files"] as? [[String: Any]] ?? [] {
            if let path = f["path"] as? String, let offset = f["offset"] as? Int { out[path] = offset }
        }
        return out
    }

    /// `assigned`: the partitions; `caught-up`: partition -> offset;
    /// `checkpoint`: partition -> `next`.
    var partitions: [Int] { (fields["partitions"] as? [Any] ?? []).compactMap { $0 as? Int } }
    var offsets: [Int32: Int64] { partitionValues("offset") }
    var checkpointNext: [Int32: Int64] { partitionValues("next") }

    private func partitionValues(_ key: String) -> [Int32: Int64] {
        var out: [Int32: Int64] = [:]
        for p in fields["partitions"] as? [[String: Any]] ?? [] {
            if let partition = p["partition"] as? Int, let value = p[key] as? Int { out[Int32(partition)] = Int64(value) }
        }
        return out
    }
}

extension Array where Element == ReadyEvent {
    /// How many times `path` was opened to be followed.
    func following(_ path: String) -> Int { filter { $0.kind == "following" && $0.path == path }.count }

    /// Whether a `caught-up` line after the `followings`-th `following` of
    /// `path` shows at least `offset` bytes of it read (and processed).
    func caughtUp(_ path: String, offset: Int, afterFollowing followings: Int = 1) -> Bool {
        var seen = 0
        for event in self {
            if event.kind == "following" && event.path == path { seen += 1 }
            if seen >= followings, event.kind == "caught-up", let at = event.fileOffsets[path], at >= offset { return true }
        }
        return false
    }

    /// The partitions of the last `assigned` line.
    var assignedPartitions: [Int] { last { $0.kind == "assigned" }?.partitions ?? [] }

    /// Whether a `caught-up` line shows every partition it lists at (or past)
    /// `ends`, and lists all of `partitions`.
    func caughtUp(to ends: [Int32: Int64], partitions: [Int]? = nil) -> Bool {
        contains { event in
            guard event.kind == "caught-up" else { return false }
            let offsets = event.offsets
            guard !offsets.isEmpty, Set(offsets.keys.map(Int.init)).isSuperset(of: partitions ?? []) else { return false }
            return offsets.allSatisfy { $0.value >= ends[$0.key, default: 0] }
        }
    }

    /// Per partition, the `next` offset of the latest checkpoint line naming it.
    var checkpointed: [Int32: Int64] {
        var out: [Int32: Int64] = [:]
        for event in self where event.kind == "checkpoint" { out.merge(event.checkpointNext) { $1 } }
        return out
    }
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
