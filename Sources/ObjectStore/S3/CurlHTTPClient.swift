import CCurl
import Foundation

/// One HTTP exchange as the S3 store sees it.
struct HTTPRequest {
    var method: String
    var url: String
    var headers: [(name: String, value: String)]
    /// Sent with a known `Content-Length` (never chunked: S3 rejects chunked
    /// uploads that are not aws-chunked signed).
    var body: ArraySlice<UInt8> = []
}

package struct HTTPResponse {
    package var status: Int
    /// Header names lower-cased; the last value wins.
    package var headers: [String: String]
    package var body: [UInt8]

    package init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status; self.headers = headers; self.body = body
    }
}

/// A transfer that failed below HTTP: connection refused or reset, timeout,
/// truncated body.
struct HTTPTransportError: Error {
    var code: Int
    var name: String
    var message: String
    /// Connection-level failures are worth retrying; a malformed URL is not.
    var isRetryable: Bool
}

/// HTTP/1.1 over libcurl, blocking per call and safe to call from many
/// threads. It keeps a pool of curl easy handles: a handle keeps its
/// connections open between requests (`curl_easy_reset` keeps the connection
/// cache), so consecutive requests to the same endpoint reuse a connection
/// and its TLS session. At most `maxConnections` transfers run at once.
final class CurlHTTPClient: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [UnsafeMutableRawPointer] = []
    private let slots: DispatchSemaphore
    private let connectTimeoutMillis: Int
    private let stallTimeoutSeconds: Int

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    init(maxConnections: Int, connectTimeoutMillis: Int, stallTimeoutSeconds: Int) {
        _ = Self.globalInit
        slots = DispatchSemaphore(value: max(1, maxConnections))
        self.connectTimeoutMillis = connectTimeoutMillis
        self.stallTimeoutSeconds = stallTimeoutSeconds
    }

    deinit {
        for handle in idle { curl_easy_cleanup(handle) }
    }

    func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        slots.wait()
        defer { slots.signal() }
        let handle = checkOut()
        var healthy = false
        defer { checkIn(handle, healthy: healthy) }
        let response = try request.body.withUnsafeBytes { body in
            try transfer(handle, request, body: body)
        }
        healthy = true
        return response
    }

    private func checkOut() -> UnsafeMutableRawPointer {
        lock.lock()
        let reused = idle.popLast()
        lock.unlock()
        if let reused { return reused }
        guard let fresh = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        return fresh
    }

    /// A handle whose transfer failed may hold a broken connection; curl
    /// notices on its next use, but dropping it is simpler and just as cheap.
    private func checkIn(_ handle: UnsafeMutableRawPointer, healthy: Bool) {
        if !healthy {
            curl_easy_cleanup(handle)
            return
        }
        lock.lock()
        idle.append(handle)
        lock.unlock()
    }

    private func transfer(_ handle: UnsafeMutableRawPointer, _ request: HTTPRequest,
                          body: UnsafeRawBufferPointer) throws -> HTTPResponse {
        curl_easy_reset(handle)
        let context = TransferContext(upload: body)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        let opaque = unmanaged.toOpaque()

        secstream_curl_setopt_string(handle, CURLOPT_URL, request.url)
        secstream_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        secstream_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        secstream_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        secstream_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMillis)
        // Stall detection rather than a total timeout: a large object on a
        // slow link is fine as long as bytes keep moving.
        secstream_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        secstream_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, stallTimeoutSeconds)
        secstream_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        secstream_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, opaque)
        secstream_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        secstream_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, opaque)

        switch request.method {
        case "GET":
            secstream_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD":
            secstream_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case "PUT", "POST":
            // UPLOAD with a known size gives Content-Length and no chunking,
            // for POST too (CUSTOMREQUEST changes only the method word).
            secstream_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            secstream_curl_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(body.count))
            secstream_curl_setopt_callback(handle, CURLOPT_READFUNCTION, curlReadBody)
            secstream_curl_setopt_pointer(handle, CURLOPT_READDATA, opaque)
            // When a reused connection turns out to be closed by the server,
            // curl resends on a new one and must rewind the body first.
            secstream_curl_setopt_seek_callback(handle, curlSeekBody)
            secstream_curl_setopt_pointer(handle, CURLOPT_SEEKDATA, opaque)
            if request.method == "POST" { secstream_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "POST") }
        default:
            secstream_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }

        // "Expect:" switches off curl's 100-continue round trip; "Accept:"
        // drops a header nobody signed.
        var list: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Expect:")
        list = curl_slist_append(list, "Accept:")
        for (name, value) in request.headers {
            list = curl_slist_append(list, value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        defer { curl_slist_free_all(list) }
        secstream_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list))

        let code = curl_easy_perform(handle)
        if code != CURLE_OK {
            throw Self.transportError(code)
        }
        var status = 0
        secstream_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        // curl reports success for a connection closed inside the header
        // block, and then knows no length to check the body against; S3
        // always frames its answers, so anything else is a cut response.
        let bodiless = request.method == "HEAD" || status == 204 || status == 304
        let framed = bodiless || (context.headers["content-length"].flatMap(Int.init).map { $0 == context.body.count }
            ?? (context.headers["transfer-encoding"]?.lowercased() == "chunked"))
        guard context.headersComplete && framed else {
            throw HTTPTransportError(code: Int(CURLE_PARTIAL_FILE.rawValue), name: "truncated response",
                                     message: "the connection closed before the full response arrived",
                                     isRetryable: true)
        }
        return HTTPResponse(status: status, headers: context.headers, body: context.body)
    }

    static func transportError(_ code: CURLcode) -> HTTPTransportError {
        let message = String(cString: curl_easy_strerror(code))
        let retryable: Bool
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
             CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_COULDNT_RESOLVE_HOST, CURLE_SSL_CONNECT_ERROR,
             CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_SEND_FAIL_REWIND:
            retryable = true
        default:
            retryable = false
        }
        return HTTPTransportError(code: Int(code.rawValue), name: "curl error \(code.rawValue)",
                                  message: message, isRetryable: retryable)
    }
}

/// State of one transfer, reached from curl's C callbacks.
private final class TransferContext {
    let upload: UnsafeRawBufferPointer
    var uploaded = 0
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    /// The blank line that ends the (last) header block has arrived.
    var headersComplete = false

    init(upload: UnsafeRawBufferPointer) {
        self.upload = upload
    }
}

private func curlWriteBody(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                           _ opaque: UnsafeMutableRawPointer?) -> Int {
    let context = Unmanaged<TransferContext>.fromOpaque(opaque!).takeUnretainedValue()
    let length = size * count
    if let buffer, length > 0 {
        context.body.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
    }
    return length
}

private func curlReadBody(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                          _ opaque: UnsafeMutableRawPointer?) -> Int {
    let context = Unmanaged<TransferContext>.fromOpaque(opaque!).takeUnretainedValue()
    let length = min(size * count, context.upload.count - context.uploaded)
    if let buffer, length > 0 {
        UnsafeMutableRawPointer(buffer).copyMemory(from: context.upload.baseAddress! + context.uploaded,
                                                   byteCount: length)
        context.uploaded += length
    }
    return length
}

private func curlSeekBody(_ opaque: UnsafeMutableRawPointer?, _ offset: curl_off_t, _ origin: Int32) -> Int32 {
    let context = Unmanaged<TransferContext>.fromOpaque(opaque!).takeUnretainedValue()
    guard origin == SEEK_SET, offset >= 0, Int(offset) <= context.upload.count else {
        return Int32(CURL_SEEKFUNC_FAIL)
    }
    context.uploaded = Int(offset)
    return Int32(CURL_SEEKFUNC_OK)
}

private func curlWriteHeader(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                             _ opaque: UnsafeMutableRawPointer?) -> Int {
    let context = Unmanaged<TransferContext>.fromOpaque(opaque!).takeUnretainedValue()
    let length = size * count
    guard let buffer, length > 0 else { return length }
    let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        // A new status line (after a 100 Continue or a redirect) starts a
        // new header block.
        context.headers.removeAll()
        context.headersComplete = false
    } else if line == "\r\n" || line == "\n" {
        context.headersComplete = true
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        context.headers[name] = value
        if name == "content-length", let length = Int(value), length > 0, length < 1 << 32 {
            context.body.reserveCapacity(length)  // one allocation for the whole body
        }
    }
    return length
}
