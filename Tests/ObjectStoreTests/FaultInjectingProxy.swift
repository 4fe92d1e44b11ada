import TestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 proxy between the S3 client and a local server that injects
/// the failures S3 clients must survive: 500 InternalError, 503 SlowDown,
/// a connection closed before any reply, a reply cut half way, and a stall
/// longer than the client's timeout. It records every request (method,
/// target, headers, body length, connection) so tests can also check what
/// the client sent on the wire. Each client connection is kept alive even
/// when the server closes its side, so connection reuse is measurable here.
final class FaultInjectingProxy: @unchecked Sendable {
    enum Fault: Equatable {
        case none
        /// Answer with this status and S3 error code; the request never reaches the server.
        case error(status: Int, code: String)
        /// Answer 403 RequestTimeTooSkewed with a `Date` this far ahead of
        /// the local clock (not forwarded).
        case clockSkew(serverAheadSeconds: Int)
        /// Answer `200 OK` with an empty body; the request never reaches the server.
        case acceptWithoutForwarding
        /// Read the request, then close without answering (not forwarded).
        case closeBeforeResponse
        /// Forward the request, then send half the response and close.
        case closeMidResponse
        /// Read the request and say nothing for this long, then close (not forwarded).
        case stall(seconds: Double)
        /// Answer `200 OK` with this XML body (not forwarded).
        case respond(xml: String)
    }

    struct RecordedRequest {
        var method: String
        var target: String
        /// Lower-cased names.
        var headers: [String: String]
        var bodyLength: Int
        var connection: Int
        var fault: Fault
    }

    let port: Int
    private let upstreamPort: Int
    private let plan: @Sendable (Int, String, String) -> Fault
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [RecordedRequest] = []
    private var connectionCount = 0
    private var clientSockets: [Int32] = []
    private var stopped = false

    var requests: [RecordedRequest] { lock.lock(); defer { lock.unlock() }; return recorded }
    var connectionsAccepted: Int { lock.lock(); defer { lock.unlock() }; return connectionCount }

    /// `plan(requestIndex, method, target)` picks the fault for each request
    /// (numbered from 0 in arrival order).
    init(upstreamPort: Int, plan: @escaping @Sendable (Int, String, String) -> Fault) throws {
        self.upstreamPort = upstreamPort
        self.plan = plan
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // Port 0: the kernel picks a free port while binding (no window in
        // which another process could take a port chosen beforehand).
        var address = Self.loopback(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw LocalServer.StartFailure(description: "proxy cannot listen on 127.0.0.1: \(reason)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    func stop() {
        lock.lock()
        stopped = true
        let sockets = clientSockets
        lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                lock.lock(); let done = stopped; lock.unlock()
                if done || errno != EINTR { return }
                continue
            }
            lock.lock()
            connectionCount += 1
            let connection = connectionCount
            clientSockets.append(client)
            lock.unlock()
            Thread.detachNewThread { [self] in serve(client, connection: connection) }
        }
    }

    private func serve(_ client: Int32, connection: Int) {
        defer { close(client) }
        let reader = SocketReader(client)
        while let request = reader.readHTTPMessage(isResponseToHEAD: false) {
            lock.lock()
            let index = recorded.count
            let fault = plan(index, request.method, request.target)
            recorded.append(RecordedRequest(method: request.method, target: request.target, headers: request.headers,
                                            bodyLength: request.body.count, connection: connection, fault: fault))
            lock.unlock()
            switch fault {
            case .none:
                guard let response = forward(request) else { return }
                guard SocketReader.writeAll(client, response) else { return }
            case .error(let status, let code):
                let body = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>injected \(code)</Message><RequestId>FAULT\(index)</RequestId></Error>".utf8)
                let head = "HTTP/1.1 \(status) Injected\r\nContent-Type: application/xml\r\nContent-Length: \(body.count)\r\nx-amz-request-id: FAULT\(index)\r\n\r\n"
                guard SocketReader.writeAll(client, Array(head.utf8) + body) else { return }
            case .clockSkew(let ahead):
                let body = Array("<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><RequestId>SKEW\(index)</RequestId></Error>".utf8)
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.timeZone = TimeZone(identifier: "GMT")
                formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
                let date = formatter.string(from: Date().addingTimeInterval(Double(ahead)))
                let head = "HTTP/1.1 403 Forbidden\r\nDate: \(date)\r\nContent-Type: application/xml\r\nContent-Length: \(body.count)\r\n\r\n"
                guard SocketReader.writeAll(client, Array(head.utf8) + body) else { return }
            case .acceptWithoutForwarding:
                let head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nETag: \"injected\"\r\n\r\n"
                guard SocketReader.writeAll(client, Array(head.utf8)) else { return }
            case .closeBeforeResponse:
                return
            case .closeMidResponse:
                guard let response = forward(request) else { return }
                _ = SocketReader.writeAll(client, Array(response.prefix(max(1, response.count / 2))))
                return
            case .stall(let seconds):
                usleep(UInt32(seconds * 1_000_000))
                return
            case .respond(let xml):
                let body = Array(xml.utf8)
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: \(body.count)\r\n\r\n"
                guard SocketReader.writeAll(client, Array(head.utf8) + body) else { return }
            }
        }
    }

    /// Sends the request to the server on a fresh connection and returns
    /// the response re-framed as keep-alive HTTP/1.1 with a Content-Length.
    private func forward(_ request: SocketReader.Message) -> [UInt8]? {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard upstream >= 0 else { return nil }
        defer { close(upstream) }
        var address = Self.loopback(upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0, SocketReader.writeAll(upstream, request.raw) else { return nil }
        guard let response = SocketReader(upstream).readHTTPMessage(isResponseToHEAD: request.method == "HEAD") else {
            return nil
        }
        var head = response.startLine.replacingOccurrences(of: "HTTP/1.0", with: "HTTP/1.1") + "\r\n"
        for (name, value) in response.headerLines
        where !["connection", "transfer-encoding", "keep-alive"].contains(name.lowercased())
            && !(name.lowercased() == "content-length" && request.method != "HEAD") {
            head += "\(name): \(value)\r\n"
        }
        if request.method != "HEAD" { head += "Content-Length: \(response.body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + response.body
    }
}

/// Blocking reads of HTTP/1.x messages from a socket.
final class SocketReader {
    struct Message {
        var startLine: String
        var headerLines: [(String, String)]
        var headers: [String: String]
        var body: [UInt8]
        var raw: [UInt8]
        var method: String { String(startLine.split(separator: " ").first ?? "") }
        var target: String { startLine.split(separator: " ").count > 1 ? String(startLine.split(separator: " ")[1]) : "" }
        var status: Int { startLine.split(separator: " ").count > 1 ? Int(startLine.split(separator: " ")[1]) ?? 0 : 0 }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    init(_ fd: Int32) { self.fd = fd }

    private func fill() -> Bool {
        if closed { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { closed = true; return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func take(_ count: Int) -> [UInt8]? {
        while buffer.count < count { if !fill() { return nil } }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    private func takeLine() -> [UInt8]? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) { return take(newline + 1) }
            if !fill() { return nil }
        }
    }

    /// A request, or a response (then `isResponseToHEAD` says whether a body follows).
    func readHTTPMessage(isResponseToHEAD: Bool) -> Message? {
        var raw: [UInt8] = []
        guard let first = takeLine() else { return nil }
        raw += first
        let startLine = String(decoding: first, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var headerLines: [(String, String)] = []
        var headers: [String: String] = [:]
        while let line = takeLine() {
            raw += line
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { break }
            if let colon = text.firstIndex(of: ":") {
                let name = String(text[..<colon])
                let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                headerLines.append((name, value))
                headers[name.lowercased()] = value
            }
        }
        var message = Message(startLine: startLine, headerLines: headerLines, headers: headers, body: [], raw: raw)
        let isResponse = startLine.hasPrefix("HTTP/")
        if isResponse && (isResponseToHEAD || message.status == 204 || message.status == 304 || message.status / 100 == 1) {
            return message
        }
        if let length = headers["content-length"].flatMap(Int.init) {
            guard let body = take(length) else { return nil }
            message.body = body
        } else if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while let sizeLine = takeLine() {
                let size = Int(String(decoding: sizeLine, as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? "", radix: 16) ?? 0
                if size == 0 { _ = takeLine(); break }
                guard let chunk = take(size) else { return nil }
                message.body += chunk
                _ = takeLine()
            }
        } else if isResponse {
            while fill() {}
            message.body = buffer
            buffer.removeAll()
        }
        message.raw += message.body
        return message
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }
}
