import Foundation
import XCTest

/// Runs the built `secstream` with stdout and/or stderr on a pseudo-terminal
/// (what a person at a terminal gives it: `isatty` is true) and the other
/// stream into a file, capturing both. util-linux `script` makes the
/// terminal and copies what reaches it; its line discipline writes `\n` as
/// `\r\n`, turned back here, so a lone `\r` is one the program wrote.
enum PseudoTerminal {
    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], stdoutTerminal: Bool, stderrTerminal: Bool,
                    environment: [String: String] = [:]) throws -> Result {
        let dir = try TempDir()
        let outFile = dir.path("stdout"), errFile = dir.path("stderr")
        var command = ([CLI.binary.path] + arguments).map(quote).joined(separator: " ")
        if !stdoutTerminal { command += " >" + quote(outFile) }
        if !stderrTerminal { command += " 2>" + quote(errFile) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-q", "-e", "-c", command, "/dev/null"]
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        env["TERM"] = "xterm-256color"
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let terminal = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: terminal, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        // Both streams on the terminal interleave there; the test reads them as one.
        return Result(code: p.terminationStatus,
                      stdout: stdoutTerminal ? text : read(outFile),
                      stderr: stderrTerminal ? text : read(errFile))
    }

    private static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
