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
        if SSL_connect(ssl) != 1 {
            let verify = SSL_get_verify_result(ssl)
            let why = verify != X509_V_OK ? String(cString: X509_verify_cert_error_string(verify)) : Self.lastError()
            SSL_free(ssl)
            SSL_CTX_free(ctx)
            throw KafkaError.connection("\(tcp.peer): TLS handshake failed: \(why)")
        }
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
            let n = SSL_write(ssl, bytes.baseAddress! + off, Int32(min(bytes.count - off, Int(Int32.max))))
            if n <= 0 { throw KafkaError.connection("\(tcp.peer): TLS write failed: \(Self.lastError())") }
            off += Int(n)
        }
    }

    func read(into buf: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = SSL_read(ssl, buf.baseAddress, Int32(min(buf.count, Int(Int32.max))))
        if n > 0 { return Int(n) }
        let err = SSL_get_error(ssl, n)
        if err == SSL_ERROR_ZERO_RETURN { return 0 }
        if err == SSL_ERROR_SYSCALL && errno == 0 { return 0 }
        throw KafkaError.connection("\(tcp.peer): TLS read failed: \(err == SSL_ERROR_SYSCALL ? TCPTransport.describe(errno) : Self.lastError())")
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
