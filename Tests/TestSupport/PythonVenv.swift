import Foundation

/// Runs the project's Python helpers with the project venv
/// (`<package root>/.venv`, made by scripts/venv.sh).
public enum PythonVenv {
    public static var python: String { TestPaths.packageRoot + "/.venv/bin/python" }
    public static func bin(_ name: String) -> String { TestPaths.packageRoot + "/.venv/bin/" + name }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func requireVenv() throws {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no Python venv at \(TestPaths.packageRoot)/.venv: run scripts/venv.sh")
        }
    }

    /// Runs `python -c source args...` with `stdin` and returns its stdout.
    public static func runInline(_ source: String, arguments: [String] = [], stdin: Data) throws -> Data {
        try run(arguments: ["-c", source] + arguments, label: "python -c", stdin: stdin)
    }

    /// Runs a script from the package root with `stdin` and returns its stdout;
    /// a non-zero exit fails with the script's stderr.
    public static func run(script: String, stdin: Data) throws -> Data {
        try run(arguments: [TestPaths.packageRoot + "/" + script], label: script, stdin: stdin)
    }

    private static func run(arguments: [String], label script: String, stdin: Data) throws -> Data {
        try requireVenv()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Write from another thread: a large output could otherwise fill the
        // pipe while we are still writing the input.
        let writer = Thread {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(script) exited \(process.terminationStatus): "
                + String(decoding: stderr, as: UTF8.self))
        }
        return stdout
    }
}
