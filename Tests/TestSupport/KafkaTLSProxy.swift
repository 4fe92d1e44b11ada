import Foundation
import XCTest

/// Tansu behind a mutual-TLS proxy (tests/interop/kafka_tls_proxy.py, Python's
/// `ssl`), with a test PKI generated per run by the openssl CLI: a CA, a server
/// certificate for DNS:localhost only, a client certificate, and an unrelated
/// CA. Starting returns only once the proxy process itself listens on its port
/// and has said "ready" (deadline 15 s each); otherwise it throws with the
/// tail of the proxy's log, so a test never runs against a proxy that is not there.
public final class KafkaTLSProxy {
    public let broker: TansuBroker
    public let port: Int
    public let directory: String
    let server: ServerProcess

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
        // Tansu advertises the proxy's port, so both start again when another
        // process takes that port before the proxy binds it (`ServerProcess`:
        // log kept, early exit noticed, listening checked by owner).
        var started: (TansuBroker, ServerProcess, Int)?
        var taken: [Int] = []
        for _ in 0..<5 where started == nil {
            let port = try FreePort.allocate()
            let broker = try TansuBroker(advertise: "localhost:\(port)")
            let proxy = try ServerProcess(
                name: "kafka-tls-proxy", executable: PythonVenv.python,
                arguments: [TestPaths.packageRoot + "/tests/interop/kafka_tls_proxy.py", "\(port)", "\(broker.port)",
                            directory + "/server.pem", directory + "/server.key", directory + "/ca.pem"])
            do {
                switch try proxy.waitUntilListening(port: port, timeout: 15) {
                case .listening: started = (broker, proxy, port)
                case .portTaken:
                    taken.append(port)
                    proxy.stop()
                    broker.stop()
                }
            } catch {
                proxy.stop()
                broker.stop()
                throw Failure(description: "TLS proxy not ready: \(error)")
            }
        }
        guard let (broker, proxy, port) = started else {
            throw Failure(description: "TLS proxy ports \(taken) were taken by other processes before it bound them")
        }
        self.broker = broker
        self.server = proxy
        self.port = port
        // It also says "ready" in its log once it serves (our proxy, not another listener).
        let deadline = Date().addingTimeInterval(15)
        while !proxy.logTail(200).contains("ready") {
            if let exit = proxy.exitDescription { throw Failure(description: "\(exit): \(proxy.logTail())") }
            if Date() > deadline { throw Failure(description: "TLS proxy listens but never said ready: \(proxy.logTail())") }
            usleep(50_000)
        }
    }

    public func stop() {
        server.stop()
        broker.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}

/// A test case whose tests share one `KafkaTLSProxy`, started before its first
/// test; a start failure fails every test with the reason (never a skip).
open class KafkaTLSProxyTestCase: XCTestCase {
    nonisolated(unsafe) public static var proxy: KafkaTLSProxy?
    nonisolated(unsafe) public static var startError: Error?

    override open class func setUp() {
        super.setUp()
        do { proxy = try KafkaTLSProxy() } catch { startError = error }
    }

    override open class func tearDown() {
        proxy?.stop()
        proxy = nil
        startError = nil
        super.tearDown()
    }

    public func runningProxy() throws -> KafkaTLSProxy {
        if let e = Self.startError { throw e }
        return try XCTUnwrap(Self.proxy)
    }
}
