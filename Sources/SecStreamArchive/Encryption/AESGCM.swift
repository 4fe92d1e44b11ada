import COpenSSL

/// AES-256-GCM through OpenSSL's EVP interface (AES-NI and carry-less
/// multiply when the CPU has them): 12-byte nonces, 16-byte tags.
enum AESGCM {
    struct AuthenticationFailure: Error {}

    static let nonceSize = 12
    static let tagSize = 16

    static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "RAND_bytes failed: no randomness for keys and nonces")
        return out
    }

    /// Appends the ciphertext of `plaintext` and then its tag to `out`.
    static func seal(key: [UInt8], nonce: [UInt8], aad: [UInt8], plaintext: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        precondition(key.count == 32 && nonce.count == nonceSize)
        let ctx = EVP_CIPHER_CTX_new()!
        defer { EVP_CIPHER_CTX_free(ctx) }
        var ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1
        ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceSize), nil) == 1
        ok = ok && EVP_EncryptInit_ex(ctx, nil, nil, key, nonce) == 1
        var length: Int32 = 0
        ok = ok && aad.withUnsafeBufferPointer { EVP_EncryptUpdate(ctx, nil, &length, $0.baseAddress, Int32($0.count)) } == 1
        let start = out.count
        // Array(repeating:) and appending an array are stdlib memset/memcpy (repeatElement is
        // a generic per-element loop outside optimised builds).
        out.append(contentsOf: [UInt8](repeating: 0, count: plaintext.count + tagSize))
        out.withUnsafeMutableBufferPointer { o in
            var at = 0
            // EVP takes int lengths: large objects go through in 1 GiB steps.
            while ok && at < plaintext.count {
                let n = min(1 << 30, plaintext.count - at)
                ok = EVP_EncryptUpdate(ctx, o.baseAddress! + start + at, &length,
                                       plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self) + at, Int32(n)) == 1
                at += Int(length)
            }
            ok = ok && EVP_EncryptFinal_ex(ctx, o.baseAddress! + start + at, &length) == 1
            ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagSize), o.baseAddress! + start + plaintext.count) == 1
        }
        precondition(ok, "AES-256-GCM encryption failed")
    }

    /// The plaintext of `sealed` (ciphertext then tag), or `AuthenticationFailure`
    /// when the key, nonce, associated data, ciphertext or tag is not what was sealed.
    static func open(key: [UInt8], nonce: ArraySlice<UInt8>, aad: ArraySlice<UInt8>, sealed: ArraySlice<UInt8>) throws -> [UInt8] {
        guard key.count == 32, nonce.count == nonceSize, sealed.count >= tagSize else { throw AuthenticationFailure() }
        let ctx = EVP_CIPHER_CTX_new()!
        defer { EVP_CIPHER_CTX_free(ctx) }
        let bodyCount = sealed.count - tagSize
        var out = [UInt8](repeating: 0, count: bodyCount)
        var ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1
        ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceSize), nil) == 1
        ok = ok && Array(nonce).withUnsafeBufferPointer { EVP_DecryptInit_ex(ctx, nil, nil, key, $0.baseAddress) } == 1
        var length: Int32 = 0
        ok = ok && Array(aad).withUnsafeBufferPointer { EVP_DecryptUpdate(ctx, nil, &length, $0.baseAddress, Int32($0.count)) } == 1
        sealed.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                var at = 0
                while ok && at < bodyCount {
                    let n = min(1 << 30, bodyCount - at)
                    ok = EVP_DecryptUpdate(ctx, o.baseAddress! + at, &length, s.baseAddress! + at, Int32(n)) == 1
                    at += Int(length)
                }
                var tag = Array(s[bodyCount...])
                ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), &tag) == 1
                ok = ok && EVP_DecryptFinal_ex(ctx, o.baseAddress! + at, &length) == 1
            }
        }
        guard ok else { throw AuthenticationFailure() }
        return out
    }
}
