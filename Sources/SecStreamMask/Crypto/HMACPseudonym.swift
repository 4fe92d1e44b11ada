import COpenSSL

/// Keyed pseudonyms: HMAC-SHA256 of the value under the policy key, as
/// lower-case hex, cut to `length` characters, after `prefix`. The same key
/// and value give the same pseudonym in every run, so group-by, joins and
/// counts over pseudonyms still work; without the key it cannot be reversed
/// or recomputed from a guessed value.
public struct HMACPseudonym: Sendable {
    let key: [UInt8]
    public let length: Int
    public let prefix: String

    public init(key: [UInt8], length: Int = 16, prefix: String = "") {
        self.key = key
        self.length = max(1, min(64, length))
        self.prefix = prefix
    }

    /// The raw 32-byte MAC.
    public func mac(_ value: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var outLength: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            out.withUnsafeMutableBufferPointer { o in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count),
                         value.baseAddress?.assumingMemoryBound(to: UInt8.self), value.count,
                         o.baseAddress, &outLength)
            }
        }
        return out
    }

    /// `prefix` + the first `length` hex characters of the MAC, as bytes.
    public func pseudonym(_ value: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        hex(mac(value), into: &out)
    }

    /// The same pseudonym, the MAC computed by `context` (which holds this key).
    func pseudonym(_ value: UnsafeRawBufferPointer, into out: inout [UInt8], context: HMACContext) {
        hex(context.mac(value), into: &out)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private func hex(_ mac: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: prefix.utf8)
        for i in 0..<length {
            let byte = mac[i / 2]
            out.append(Self.hexDigits[Int(i % 2 == 0 ? byte >> 4 : byte & 0x0F)])
        }
    }

    public func pseudonym(_ value: String) -> String {
        var out: [UInt8] = []
        var v = value
        v.withUTF8 { pseudonym(UnsafeRawBufferPointer($0), into: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// HMAC-SHA256 under one key, for a masker's many values: the key's inner and
/// outer pads are hashed once, and a MAC is two digest copies, two updates and
/// two finals (RFC 2104), the same bytes as `HMAC()`. The one-shot `HMAC()`
/// looks SHA-256 up and pads the key on every call (profiled: 20,000
/// instructions a value). Not thread-safe: one per masker.
final class HMACContext {
    private let md: OpaquePointer
    private let inner: OpaquePointer
    private let outer: OpaquePointer
    private let work: OpaquePointer

    init(key: [UInt8]) {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil), let inner = EVP_MD_CTX_new(), let outer = EVP_MD_CTX_new(),
              let work = EVP_MD_CTX_new() else { fatalError("OpenSSL: SHA-256 unavailable (out of memory)") }
        self.md = md
        self.inner = inner
        self.outer = outer
        self.work = work
        var block = key
        if block.count > 64 {
            var digest = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            _ = EVP_Digest(block, block.count, &digest, &length, md, nil)
            block = digest
        }
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let ipad = block.map { $0 ^ 0x36 }, opad = block.map { $0 ^ 0x5c }
        guard EVP_DigestInit_ex(inner, md, nil) == 1, EVP_DigestUpdate(inner, ipad, 64) == 1,
              EVP_DigestInit_ex(outer, md, nil) == 1, EVP_DigestUpdate(outer, opad, 64) == 1
        else { fatalError("OpenSSL: SHA-256 init failed") }
    }

    deinit {
        EVP_MD_CTX_free(inner)
        EVP_MD_CTX_free(outer)
        EVP_MD_CTX_free(work)
        EVP_MD_free(md)
    }

    /// The 32-byte MAC of `value`.
    func mac(_ value: UnsafeRawBufferPointer) -> [UInt8] {
        var innerHash = [UInt8](repeating: 0, count: 32)
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = EVP_MD_CTX_copy_ex(work, inner) == 1 && EVP_DigestUpdate(work, value.baseAddress, value.count) == 1
            && EVP_DigestFinal_ex(work, &innerHash, &length) == 1
            && EVP_MD_CTX_copy_ex(work, outer) == 1 && EVP_DigestUpdate(work, innerHash, 32) == 1
            && EVP_DigestFinal_ex(work, &out, &length) == 1
        precondition(ok, "OpenSSL: HMAC-SHA256 failed")
        return out
    }
}
