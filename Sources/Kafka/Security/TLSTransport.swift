import COpenSSL
import Glibc

/// TLS over a connected TCP socket (OpenSSL): CA file or system roots,
/// hostname verification, optional client certificate.
final class TLSTransport: Transport {
    let tcp: TCPTransport
    let ctx: OpaquePointer
    let ssl: OpaquePointer

    init(tcp: TCPTransport, host: String, options: TLSOptions) throws {
        self.tcp = tcp
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw Self.error(tcp.peer, "SSL_CTX_new") }
        self.ctx = ctx
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        if let ca = options.caFile {
            guard SSL_CTX_load_verify_locations(ctx, ca, nil) == 1 else {
                SSL_CTX_free(ctx)
                throw Self.error(tcp.peer, "cannot load CA file \(ca)")
            }
        } else {
            SSL_CTX_set_default_verify_paths(ctx)
        }
        if let cert = options.certFile {
            guard SSL_CTX_use_certificate_chain_file(ctx, cert) == 1,
                  SSL_CTX_use_PrivateKey_file(ctx, options.keyFile ?? cert, SSL_FILETYPE_PEM) == 1 else {
                SSL_CTX_free(ctx)
                throw Self.error(tcp.peer, "cannot load client certificate \(cert)")
            }
        }
        guard let ssl = SSL_new(ctx) else {
            SSL_CTX_free(ctx)
            throw Self.error(tcp.peer, "SSL_new")
        }
        self.ssl = ssl
        let isIPAddress = Self.isIPLiteral(host)
        if !isIPAddress {
            // SNI (SSL_set_tlsext_host_name is a C macro over SSL_ctrl); RFC 6066 forbids IP literals here.
            _ = host.withCString { SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name), UnsafeMutableRawPointer(mutating: $0)) }
        }
        if options.verifyHostname {
            if isIPAddress {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
            } else {
                SSL_set1_host(ssl, host)
            }
        }
        SSL_set_fd(ssl, tcp.fd)
        ERR_clear_error()
        let connected = SSL_connect(ssl)
        if connected != 1 {
            // A certificate that does not verify, or a broker that refuses the
            // session (an alert), is a configuration problem: retrying cannot
            // help, so it is an authentication failure (not retriable). A
            // connection dropped mid-handshake stays a connection error.
            let verify = SSL_get_verify_result(ssl)
            let code = SSL_get_error(ssl, connected)
            let error: KafkaError
            if verify != X509_V_OK {
                error = .authentication("\(tcp.peer): TLS handshake failed: \(String(cString: X509_verify_cert_error_string(verify)))")
            } else if code == SSL_ERROR_SSL {
                error = .authentication("\(tcp.peer): TLS handshake failed: \(Self.lastError())")
            } else {
                error = .connection("\(tcp.peer): TLS handshake failed: \(code == SSL_ERROR_SYSCALL && errno != 0 ? TCPTransport.describe(errno) : Self.lastError())")
            }
            SSL_free(ssl)
            SSL_CTX_free(ctx)
            throw error
        }
    }

    /// The reason of the first queued OpenSSL error when it is an alert the
    /// broker sent (TLS 1.3 reports a refused client certificate this way,
    /// after the client's side of the handshake has completed), else nil.
    static func peerAlert() -> String? {
        let code = ERR_peek_error()
        // ERR_GET_LIB / ERR_GET_REASON (OpenSSL 3 layout); alerts are SSL_AD_REASON_OFFSET (1000) + the alert number.
        let library = Int32((code >> 23) & 0xFF), reason = Int32(code & 0x7F_FFFF)
        guard code != 0, library == ERR_LIB_SSL, reason >= SSL_AD_REASON_OFFSET, let text = ERR_reason_error_string(code) else { return nil }
        ERR_clear_error()
        return String(cString: text)
    }

    /// The error for a failed SSL_read/SSL_write: a broker alert (it refused
    /// the session: not retriable), or a socket/OpenSSL failure (retriable).
    func failure(_ operation: String, result: Int32) -> KafkaError {
        let code = SSL_get_error(ssl, result)
        let savedErrno = errno
        if let alert = Self.peerAlert() {
            return .authentication("\(tcp.peer): TLS session refused by the broker: \(alert)")
        }
        if code == SSL_ERROR_SYSCALL, operation == "write" {
            // The broker may have sent an alert and closed before our request
            // went out (the write then fails with EPIPE/ECONNRESET): read what
            // it sent to report the alert rather than the broken pipe.
            var byte: UInt8 = 0
            if SSL_read(ssl, &byte, 1) <= 0, let alert = Self.peerAlert() {
                return .authentication("\(tcp.peer): TLS session refused by the broker: \(alert)")
            }
        }
        let why = code == SSL_ERROR_SYSCALL ? (savedErrno == 0 ? "connection closed" : TCPTransport.describe(savedErrno)) : Self.lastError()
        return .connection("\(tcp.peer): TLS \(operation) failed: \(why)")
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func lastError() -> String {
        let code = ERR_get_error()
        if code == 0 { return "unknown OpenSSL error" }
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buf, buf.count)
        return String(cString: buf)
    }

    static func error(_ peer: String, _ what: String) -> KafkaError {
        .connection("\(peer): TLS \(what): \(lastError())")
    }

    func setTimeout(ms: Int) { tcp.setTimeout(ms: ms) }

    func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < bytes.count {
            ERR_clear_error()
            let n = SSL_write(ssl, bytes.baseAddress! + off, Int32(min(bytes.count - off, Int(Int32.max))))
            if n <= 0 { throw failure("write", result: n) }
            off += Int(n)
        }
    }

    func read(into buf: UnsafeMutableRawBufferPointer) throws -> Int {
        ERR_clear_error()
        let n = SSL_read(ssl, buf.baseAddress, Int32(min(buf.count, Int(Int32.max))))
        if n > 0 { return Int(n) }
        let err = SSL_get_error(ssl, n)
        if err == SSL_ERROR_ZERO_RETURN { return 0 }
        if err == SSL_ERROR_SYSCALL && errno == 0 && ERR_peek_error() == 0 { return 0 }
        throw failure("read", result: n)
    }

    var closed = false

    func close() {
        guard !closed else { return }
        closed = true
        SSL_shutdown(ssl)
        SSL_free(ssl)
        SSL_CTX_free(ctx)
        tcp.close()
    }
}
