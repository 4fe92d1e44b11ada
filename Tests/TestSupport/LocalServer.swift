import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A local server process for integration tests (moto, nanio), started on a
/// free 127.0.0.1 port and stopped at the end. Starting fails with the
/// server's own log when it does not listen in time: a test that cannot get
/// its server fails, it never skips.
public final class LocalServer {
    public let name: String
    public let port: Int
    private let process: Process
    public let logPath: String
    public let workDirectory: String

    public var endpointURL: String { "http://127.0.0.1:\(port)" }

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public init(name: String, executable: String, arguments: (Int, String) -> [String],
         environment: [String: String] = [:], timeoutSeconds: Double = 60) throws {
        self.name = name
        try PythonVenv.requireVenv()
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw StartFailure(description: "cannot start \(name): \(executable) is missing (run scripts/venv.sh)")
        }
        port = try FreePort.allocate()
        workDirectory = NSTemporaryDirectory() + "secstream-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        logPath = workDirectory + "/server.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(port, workDirectory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.currentDirectoryURL = URL(fileURLWithPath: workDirectory)
        try process.run()

        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !FreePort.isListening(port) {
            if !process.isRunning || Date() > deadline {
                let logText = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                stop()
                throw StartFailure(description: "cannot start \(name) on 127.0.0.1:\(port) "
                    + (process.isRunning ? "(not listening after \(Int(timeoutSeconds))s)" : "(exited)")
                    + ": " + String(logText.suffix(800)))
            }
            usleep(100_000)
        }
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: workDirectory)
    }

    /// moto's standalone server: S3 behaviour, no authentication.
    public static func moto() throws -> LocalServer {
        try LocalServer(name: "moto", executable: PythonVenv.bin("moto_server"),
                        arguments: { port, _ in ["-H", "127.0.0.1", "-p", String(port)] })
    }

    /// nanio: verifies every SigV4 signature against the given key pair.
    public static func nanio(accessKey: String, secretKey: String) throws -> LocalServer {
        try LocalServer(name: "nanio", executable: PythonVenv.bin("nanio"),
                        arguments: { port, dir in
                            ["serve", "--host", "127.0.0.1", "--port", String(port), "--data-dir", dir + "/data",
                             "--no-access-log", "--log-level", "warning"]
                        },
                        environment: ["NANIO_ACCESS_KEY": accessKey, "NANIO_SECRET_KEY": secretKey])
    }
}

public enum FreePort {
    /// Asks the kernel for a free port by binding port 0.
    public static func allocate() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LocalServer.StartFailure(description: "socket(): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw LocalServer.StartFailure(description: "bind(): \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
