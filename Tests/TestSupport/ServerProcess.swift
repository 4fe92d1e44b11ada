import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A server process started by a test (Tansu, moto, nanio): its stdout and
/// stderr go to a log file in its own temporary directory, and waiting for it
/// to listen fails at once, with the exit status and the log's tail, when it
/// exits early. While it runs, a failing test prints the tail of its log
/// (`ServerLogs`), and the log is kept (its path is printed) instead of being
/// removed with the directory.
public final class ServerProcess {
    public let name: String
    public let process = Process()
    public let directory: String
    public var logPath: String { directory + "/server.log" }
    private var registration: Int?

    public init(name: String, executable: String, arguments: [String], environment: [String: String] = [:],
                directory: String? = nil) throws {
        self.name = name
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw LocalServer.StartFailure(description: "cannot start \(name): \(executable) is missing (run scripts/venv.sh)")
        }
        self.directory = directory ?? (NSTemporaryDirectory() + "secstream-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.currentDirectoryURL = URL(fileURLWithPath: self.directory)
        try process.run()
        try? log.close()
        registration = ServerLogs.register(name: name, path: logPath)
    }

    /// The last `bytes` of the log.
    public func logTail(_ bytes: Int = 3000) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "(no log at \(logPath))" }
        let text = String(decoding: data.suffix(bytes), as: UTF8.self)
        return text.isEmpty ? "(log empty)" : text
    }

    /// Why the process is not running, or nil while it runs.
    public var exitDescription: String? {
        guard !process.isRunning else { return nil }
        let how = process.terminationReason == .uncaughtSignal ? "was killed by signal" : "exited with status"
        return "\(name) \(how) \(process.terminationStatus)"
    }

    public enum ListenOutcome {
        case listening(Int)
        /// Another process holds the port (taken between choosing and binding it).
        case portTaken
    }

    /// Waits until this process (or a child of it) listens on 127.0.0.1:`port`,
    /// or, with `port` nil (a server started on port 0), on any TCP port.
    /// Throws with the log's tail when it exits first or does not listen in time.
    public func waitUntilListening(port: Int?, timeout: TimeInterval) throws -> ListenOutcome {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let own = ListeningSockets.ports(ownedBy: process.processIdentifier)
            if let port {
                if own.contains(port) { return .listening(port) }
            } else if let first = own.sorted().first {
                return .listening(first)
            }
            if let exit = exitDescription {
                if let port, ListeningSockets.isListening(port) { return .portTaken }
                throw LocalServer.StartFailure(description: "\(exit) before it listened\(port.map { " on 127.0.0.1:\($0)" } ?? ""); its log (\(logPath)) ends:\n\(logTail())")
            }
            if Date() > deadline {
                throw LocalServer.StartFailure(description: "\(name) did not listen\(port.map { " on 127.0.0.1:\($0)" } ?? "") within \(Int(timeout)) s; its log (\(logPath)) ends:\n\(logTail())")
            }
            usleep(50_000)
        }
    }

    /// Stops the process; removes its directory unless a test failed while it ran.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        guard let registration else { return }
        self.registration = nil
        if ServerLogs.unregister(registration) {
            print("\(name) log kept after a test failure: \(logPath)")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    deinit { stop() }

    /// Starts a server on a port chosen by `FreePort`, again on a fresh port
    /// when another process took the chosen one before the server bound it
    /// (the server then fails to bind; Tansu even keeps running with the
    /// port held by someone else, so listening is checked by owner, not by connecting).
    public static func startOnFreePort(name: String, attempts: Int = 5, timeout: TimeInterval,
                                       _ launch: (Int) throws -> ServerProcess) throws -> (ServerProcess, Int) {
        var taken: [Int] = []
        for _ in 0..<attempts {
            let port = try FreePort.allocate()
            let server = try launch(port)
            do {
                switch try server.waitUntilListening(port: port, timeout: timeout) {
                case .listening: return (server, port)
                case .portTaken: taken.append(port)
                }
            } catch {
                server.stop()
                throw error
            }
            server.stop()
        }
        throw LocalServer.StartFailure(description: "cannot start \(name): ports \(taken) were taken by other processes before it bound them")
    }
}

/// Listening TCP sockets by owner, from /proc (Linux).
public enum ListeningSockets {
    /// The local ports of the listening TCP sockets of `pid` and its descendants.
    public static func ports(ownedBy pid: Int32) -> Set<Int> {
        var inodes = Set<String>()
        for p in [pid] + descendants(of: pid) {
            let fdDir = "/proc/\(p)/fd"
            for fd in (try? FileManager.default.contentsOfDirectory(atPath: fdDir)) ?? [] {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: fdDir + "/" + fd),
                      target.hasPrefix("socket:[") else { continue }
                inodes.insert(String(target.dropFirst(8).dropLast()))
            }
        }
        guard !inodes.isEmpty else { return [] }
        var ports = Set<Int>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                guard f.count > 9, f[3] == "0A", inodes.contains(String(f[9])),
                      let hexPort = f[1].split(separator: ":").last, let port = Int(hexPort, radix: 16) else { continue }
                ports.insert(port)
            }
        }
        return ports
    }

    /// Whether anything accepts connections on 127.0.0.1:`port`.
    public static func isListening(_ port: Int) -> Bool { FreePort.isListening(port) }

    private static func descendants(of pid: Int32) -> [Int32] {
        var parents: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // pid (comm) state ppid ...
            let rest = stat[stat.index(after: close)...].split(separator: " ")
            if rest.count > 1, let ppid = Int32(rest[1]) { parents[ppid, default: []].append(child) }
        }
        var out: [Int32] = []
        var queue = [pid]
        while let next = queue.popLast() {
            for child in parents[next] ?? [] { out.append(child); queue.append(child) }
        }
        return out
    }
}

/// The logs of the servers running now. When a test fails, the tail of each
/// is printed once (the failure is often the server's), and the log is kept.
public enum ServerLogs {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var live: [Int: (name: String, path: String, failed: Bool)] = [:]
    nonisolated(unsafe) private static var nextID = 0
    nonisolated(unsafe) private static var observer: Observer?
    nonisolated(unsafe) private static var printedFor: String?

    static func register(name: String, path: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if observer == nil {
            let o = Observer()
            observer = o
            XCTestObservationCenter.shared.addTestObserver(o)
        }
        nextID += 1
        live[nextID] = (name, path, false)
        return nextID
    }

    /// Returns whether a test failed while the server ran (keep its log).
    static func unregister(_ id: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return live.removeValue(forKey: id)?.failed ?? false
    }

    fileprivate static func testFailed(_ test: String) {
        lock.lock()
        let servers = live
        for id in live.keys { live[id]!.failed = true }
        let first = printedFor != test
        printedFor = test
        lock.unlock()
        guard first else { return }
        for (_, server) in servers.sorted(by: { $0.key < $1.key }) {
            let data = FileManager.default.contents(atPath: server.path) ?? Data()
            print("--- \(test): \(server.name) is running; the end of its log (\(server.path)):\n"
                  + String(decoding: data.suffix(3000), as: UTF8.self) + "\n--- end of \(server.name) log")
        }
    }

    private final class Observer: NSObject, XCTestObservation {
        func testCase(_ testCase: XCTestCase, didFailWithDescription description: String, inFile filePath: String?, atLine lineNumber: Int) {
            ServerLogs.testFailed(testCase.name)
        }
    }
}
