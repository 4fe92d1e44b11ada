import Glibc

/// A connected byte stream to a broker: plain TCP or TLS on top of it.
protocol Transport: AnyObject {
    /// Writes all bytes or throws.
    func writeAll(_ bytes: UnsafeRawBufferPointer) throws
    /// Reads up to `into.count` bytes; returns 0 at end of stream.
    func read(into: UnsafeMutableRawBufferPointer) throws -> Int
    /// Sets the deadline for subsequent blocking reads and writes.
    func setTimeout(ms: Int)
    func close()
}

/// Blocking TCP socket with kernel-enforced read/write timeouts.
final class TCPTransport: Transport {
    let fd: Int32
    let peer: String

    /// Resolves `host` and connects to the first address that answers within `timeoutMs`.
    init(host: String, port: Int32, timeoutMs: Int) throws {
        peer = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &res)
        guard rc == 0, let first = res else {
            throw KafkaError.connection("\(host):\(port): cannot resolve: \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(res) }
        var lastError = "no addresses"
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            ai = a.pointee.ai_next
            let s = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if s < 0 { lastError = String(cString: strerror(errno)); continue }
            if Self.connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen, timeoutMs: timeoutMs, error: &lastError) {
                var one: Int32 = 1
                setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                // Keepalive notices brokers that vanished without closing (SIGPIPE is avoided per send with MSG_NOSIGNAL).
                setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
                var big: Int32 = 1 << 20
                setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, socklen_t(MemoryLayout<Int32>.size))
                fd = s
                return
            }
            Glibc.close(s)
        }
        throw KafkaError.connection("\(host):\(port): connect failed: \(lastError)")
    }

    /// Non-blocking connect bounded by poll, then back to blocking mode.
    static func connect(_ s: Int32, _ addr: UnsafeMutablePointer<sockaddr>?, _ len: socklen_t, timeoutMs: Int,
                        error: inout String) -> Bool {
        let flags = fcntl(s, F_GETFL, 0)
        _ = fcntl(s, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(s, F_SETFL, flags) }
        if Glibc.connect(s, addr, len) == 0 { return true }
        guard errno == EINPROGRESS else { error = String(cString: strerror(errno)); return false }
        var pfd = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
        let n = poll(&pfd, 1, Int32(timeoutMs))
        if n <= 0 { error = n == 0 ? "timed out after \(timeoutMs) ms" : String(cString: strerror(errno)); return false }
        var soerr: Int32 = 0
        var l = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &l)
        if soerr != 0 { error = String(cString: strerror(soerr)); return false }
        return true
    }

    func setTimeout(ms: Int) {
        var tv = timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < bytes.count {
            let n = send(fd, bytes.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                throw KafkaError.connection("\(peer): write failed: \(Self.describe(errno))")
            }
            off += n
        }
    }

    func read(into buf: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = recv(fd, buf.baseAddress, buf.count, 0)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw KafkaError.connection("\(peer): read failed: \(Self.describe(errno))")
        }
    }

    static func describe(_ e: Int32) -> String {
        e == EAGAIN || e == EWOULDBLOCK ? "timed out" : String(cString: strerror(e))
    }

    var closed = false

    func close() {
        guard !closed else { return }
        closed = true
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }
}
