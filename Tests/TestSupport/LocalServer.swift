import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A local server process for integration tests (moto, nanio) on 127.0.0.1,
/// stopped at the end. Its log is kept in its directory (`ServerProcess`);
/// starting fails with the server's exit status and log when it exits or does
/// not listen in time: a test that cannot get its server fails, it never skips.
public final class LocalServer {
    public let name: String
    public let port: Int
    private let server: ServerProcess
    public var logPath: String { server.logPath }
    public var workDirectory: String { server.directory }

    public var endpointURL: String { "http://127.0.0.1:\(port)" }

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// `arguments(port, directory)`: with `portZero`, the server is given port
    /// 0, binds a port of its own choice and is found listening on it; else
    /// it gets a free port and is restarted on another one if that was taken.
    public init(name: String, executable: String, portZero: Bool = false, arguments: (Int, String) -> [String],
                environment: [String: String] = [:], timeoutSeconds: Double = 60) throws {
        self.name = name
        try PythonVenv.requireVenv()
        if portZero {
            let directory = NSTemporaryDirectory() + "secstream-\(name)-\(UUID().uuidString)"
            let server = try ServerProcess(name: name, executable: executable, arguments: arguments(0, directory),
                                           environment: environment, directory: directory)
            guard case .listening(let port) = try server.waitUntilListening(port: nil, timeout: timeoutSeconds) else {
                throw StartFailure(description: "\(name) did not report a port")
            }
            self.server = server
            self.port = port
        } else {
            (server, port) = try ServerProcess.startOnFreePort(name: name, timeout: timeoutSeconds) { port in
                let directory = NSTemporaryDirectory() + "secstream-\(name)-\(UUID().uuidString)"
                return try ServerProcess(name: name, executable: executable, arguments: arguments(port, directory),
                                         environment: environment, directory: directory)
            }
        }
    }

    public func stop() { server.stop() }

    /// moto's standalone server: S3 behaviour, no authentication. It takes
    /// port 0 and binds a free port itself.
    public static func moto() throws -> LocalServer {
        try LocalServer(name: "moto", executable: PythonVenv.bin("moto_server"), portZero: true,
                        arguments: { port, _ in ["-H", "127.0.0.1", "-p", String(port)] })
    }

    /// nanio: verifies every SigV4 signature against the given key pair (it
    /// refuses port 0, so it gets a free port, and another if that was taken).
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
    /// Asks the kernel for a free port by binding port 0. The port is free
    /// again when this returns, so another process can take it before the
    /// caller's server binds it: start servers with
    /// `ServerProcess.startOnFreePort`, which notices that and retries.
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
