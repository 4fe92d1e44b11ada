import Foundation

/// Tansu behind a mutual-TLS proxy (tests/interop/kafka_tls_proxy.py, Python's
/// `ssl`), with a test PKI generated per run by the openssl CLI: a CA, a server
/// certificate for DNS:localhost only, a client certificate, and an unrelated
/// CA. Starting returns only once the proxy has said "ready" and accepts TCP
/// connections on its port (deadline 15 s); otherwise it throws with the
/// proxy's stderr, so a test never runs against a proxy that is not there.
public final class KafkaTLSProxy {
    public let broker: TansuBroker
    public let port: Int
    public let directory: String
    let process: Process
    let stderrPath: String

    /// `localhost:PORT`: the name the server certificate is issued for.
    public var bootstrap: String { "localhost:\(port)" }
    public func file(_ name: String) -> String { directory + "/" + name }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static func openssl(_ args: [String], in dir: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl"] + args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            throw Failure(description: "openssl \(args.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
    }

    /// ca.pem/ca.key, server.pem/key (DNS:localhost), client.pem/key (signed by ca.pem), other-ca.pem.
    static func makeCertificates(_ dir: String) throws {
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=secstream-test-ca"], in: dir)
        try openssl(["req", "-x509"] + ec + ["-keyout", "other.key", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=other-ca"], in: dir)
        try "subjectAltName=DNS:localhost\n".write(toFile: dir + "/server.ext", atomically: true, encoding: .utf8)
        for name in ["server", "client"] {
            try openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name == "server" ? "localhost" : "client")"], in: dir)
            var sign = ["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "\(name).pem", "-days", "2"]
            if name == "server" { sign += ["-extfile", "server.ext"] }
            try openssl(sign, in: dir)
        }
    }

    public init() throws {
        directory = NSTemporaryDirectory() + "kafka-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.makeCertificates(directory)
        try PythonVenv.requireVenv()
        port = try FreePort.allocate()
        broker = try TansuBroker(advertise: "localhost:\(port)")
        stderrPath = directory + "/proxy.err"
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: PythonVenv.python)
        process.arguments = [TestPaths.packageRoot + "/tests/interop/kafka_tls_proxy.py", "\(port)", "\(broker.port)",
                             directory + "/server.pem", directory + "/server.key", directory + "/ca.pem"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        // The proxy prints "ready" once it listens. Both must hold within the
        // deadline: the line (it is our proxy, it did bind) and a TCP connect to
        // the port. The line is read on another thread so a hung proxy cannot
        // hang the test.
        final class Line: @unchecked Sendable {
            let lock = NSLock()
            var text = ""
            var value: String { lock.lock(); defer { lock.unlock() }; return text }
        }
        let line = Line()
        let reader = out.fileHandleForReading
        Thread {
            let first = reader.availableData
            line.lock.lock(); line.text = String(decoding: first.prefix(64), as: UTF8.self); line.lock.unlock()
        }.start()
        let deadline = Date().addingTimeInterval(15)
        var ready = false
        while Date() < deadline && process.isRunning {
            if line.value.hasPrefix("ready") && FreePort.isListening(port) { ready = true; break }
            usleep(50_000)
        }
        if !ready {
            let running = process.isRunning
            if running { process.terminate() }
            process.waitUntilExit()
            let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            broker.stop()
            throw Failure(description: "TLS proxy on 127.0.0.1:\(port) not ready within 15 s (stdout '\(line.value)', "
                          + "\(running ? "still running" : "exited \(process.terminationStatus)")): \(err.suffix(1500))")
        }
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        broker.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}
