import Foundation
import TestSupport
import XCTest

/// The harness that starts the test servers: an early exit is reported at
/// once with the status and the log, and a port someone else listens on does
/// not count as the server listening (the hazard of choosing a free port
/// before the server binds it).
final class ServerProcessTests: XCTestCase {
    func testAnEarlyExitFailsAtOnceWithTheStatusAndTheLogsTail() throws {
        let server = try ServerProcess(name: "broken", executable: "/bin/sh",
                                       arguments: ["-c", "echo 'cannot bind: Address in use' >&2; exit 3"])
        defer { server.stop() }
        let started = Date()
        XCTAssertThrowsError(try server.waitUntilListening(port: try FreePort.allocate(), timeout: 60)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("broken exited with status 3"), text)
            XCTAssertTrue(text.contains("cannot bind: Address in use"), text)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 50, "not after the 60 s deadline")
    }

    func testAListenerOfAnotherProcessIsNotTheServerListening() throws {
        // This test process listens on `port`; the "server" never does.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        XCTAssertTrue(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        XCTAssertTrue(FreePort.isListening(port), "a connect succeeds")
        XCTAssertEqual(ListeningSockets.ports(ownedBy: getpid()).contains(port), true, "owned by this process")

        let sleeper = try ServerProcess(name: "sleeper", executable: "/bin/sleep", arguments: ["30"])
        defer { sleeper.stop() }
        XCTAssertFalse(ListeningSockets.ports(ownedBy: sleeper.process.processIdentifier).contains(port))
        XCTAssertThrowsError(try sleeper.waitUntilListening(port: port, timeout: 1)) { error in
            XCTAssertTrue(String(describing: error).contains("did not listen on 127.0.0.1:\(port)"), "\(error)")
        }
        // The same server exiting while another process holds its port: the port was taken, start again elsewhere.
        sleeper.process.terminate()
        sleeper.process.waitUntilExit()
        guard case .portTaken = try sleeper.waitUntilListening(port: port, timeout: 5) else {
            return XCTFail("an exit with the port held by another process is a taken port")
        }
    }

    func testAServerOnPortZeroIsFoundOnThePortItBound() throws {
        let server = try LocalServer.moto()
        defer { server.stop() }
        XCTAssertNotEqual(server.port, 0)
        XCTAssertTrue(FreePort.isListening(server.port))
        XCTAssertTrue(FileManager.default.fileExists(atPath: server.logPath), "its output goes to a log")
    }
}
