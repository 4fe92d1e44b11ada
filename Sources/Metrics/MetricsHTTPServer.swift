import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The smallest HTTP/1.1 server a scraper needs: `GET /metrics` (and `/`
/// pointing there), one connection at a time on its own thread, the
/// response rendered from a fresh snapshot in the format the Accept header
/// asks for, then the connection closed. Scrapes come seconds apart, so
/// serving them one by one costs nothing and keeps the code small; a client
/// that stalls is cut off by a receive timeout instead of holding the thread.
public final class MetricsHTTPServer: @unchecked Sendable {
    public let registry: MetricRegistry
    /// The address actually bound (the kernel's port when asked for port 0).
    public private(set) var boundAddress: ListenAddress
    private let fd: Int32
    private var thread: Thread?
    private let stopLock = NSLock()
    private var stopped = false

    public init(address: ListenAddress, registry: MetricRegistry) throws {
        self.registry = registry
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let node = address.host.isEmpty ? nil : address.host
        let rc = getaddrinfo(node, String(address.port), &hints, &result)
        guard rc == 0, let info = result else {
            throw MetricsError("--metrics-listen \(address): cannot resolve '\(address.host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MetricsError("--metrics-listen \(address): socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, 16) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw MetricsError("--metrics-listen \(address): cannot listen: \(why)")
        }
        self.fd = fd
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var port = address.port
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        if Int32(storage.ss_family) == AF_INET {
            port = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        } else if Int32(storage.ss_family) == AF_INET6 {
            port = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        }
        boundAddress = ListenAddress(host: address.host, port: port)
    }

    /// Starts serving on a background thread.
    public func start() {
        let t = Thread { [self] in serve() }
        t.name = "secstream-metrics-http"
        thread = t
        t.start()
    }

    /// Stops accepting; a scrape in progress finishes.
    public func stop() {
        stopLock.lock()
        let already = stopped
        stopped = true
        stopLock.unlock()
        if !already {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    private var isStopped: Bool { stopLock.lock(); defer { stopLock.unlock() }; return stopped }

    private func serve() {
        while !isStopped {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = readHead(client) else { return }
        let response: (status: String, type: String, body: String)
        switch (request.method, request.path) {
        case ("GET", "/metrics"), ("HEAD", "/metrics"):
            let format = ExpositionFormat.negotiate(accept: request.headers["accept"])
            response = ("200 OK", format.contentType, format.render(registry.snapshot()))
        case ("GET", "/"), ("HEAD", "/"):
            response = ("200 OK", "text/html; charset=utf-8", "<html><body><a href=\"/metrics\">/metrics</a></body></html>\n")
        case ("GET", _), ("HEAD", _):
            response = ("404 Not Found", "text/plain; charset=utf-8", "not found: try /metrics\n")
        default:
            response = ("405 Method Not Allowed", "text/plain; charset=utf-8", "only GET\n")
        }
        var head = "HTTP/1.1 \(response.status)\r\nContent-Type: \(response.type)\r\n"
        head += "Content-Length: \(response.body.utf8.count)\r\nConnection: close\r\n"
        if response.status.hasPrefix("405") { head += "Allow: GET, HEAD\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if request.method != "HEAD" { bytes += Array(response.body.utf8) }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// The request line and headers (the body, if any, is ignored); nil when
    /// the client sends more than 16 KiB of head, nothing, or times out.
    private func readHead(_ client: Int32) -> (method: String, path: String, headers: [String: String])? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = [13, 10, 13, 10]
        while data.count < 16384 {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            data += buffer[0..<n]
            if data.count >= 4, (0...(data.count - 4)).contains(where: { Array(data[$0..<($0 + 4)]) == end }) { break }
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        // An absolute path may carry a query string (`/metrics?x=1`): ignore it.
        let path = requestLine[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return (String(requestLine[0]), path, headers)
    }
}
