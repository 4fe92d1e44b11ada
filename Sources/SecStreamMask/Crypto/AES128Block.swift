import COpenSSL

/// One AES-128 key encrypting single 16-byte blocks (ECB, no padding): the
/// pseudorandom function of Crypto-PAn. OpenSSL picks AES-NI when the CPU has
/// it. A context is not thread-safe; each masker copy owns its own.
final class AES128Block {
    private let context: OpaquePointer

    init(key: [UInt8]) {
        precondition(key.count == 16, "AES-128 takes a 16-byte key")
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("EVP_CIPHER_CTX_new failed (out of memory)") }
        self.context = context
        let ok = key.withUnsafeBufferPointer { EVP_EncryptInit_ex(context, EVP_aes_128_ecb(), nil, $0.baseAddress, nil) }
        precondition(ok == 1, "EVP_EncryptInit_ex(aes-128-ecb) failed")
        EVP_CIPHER_CTX_set_padding(context, 0)
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Encrypts the 16 bytes at `input` into `output` (which may be the same).
    @inline(__always)
    func encrypt(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>) {
        var length: Int32 = 0
        let ok = EVP_EncryptUpdate(context, output, &length, input, 16)
        precondition(ok == 1 && length == 16, "AES block encryption failed")
    }

    /// Encrypts `blocks` consecutive 16-byte blocks (ECB: each on its own) in one call.
    @inline(__always)
    func encrypt(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, blocks: Int) {
        var length: Int32 = 0
        let ok = EVP_EncryptUpdate(context, output, &length, input, Int32(blocks * 16))
        precondition(ok == 1 && length == Int32(blocks * 16), "AES block encryption failed")
    }

    func encrypt(_ block: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        block.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { encrypt(i.baseAddress!, $0.baseAddress!) } }
        return out
    }
}
