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
        out.append(contentsOf: prefix.utf8)
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        let mac = mac(value)
        for i in 0..<length {
            let byte = mac[i / 2]
            out.append(digits[Int(i % 2 == 0 ? byte >> 4 : byte & 0x0F)])
        }
    }

    public func pseudonym(_ value: String) -> String {
        var out: [UInt8] = []
        var v = value
        v.withUTF8 { pseudonym(UnsafeRawBufferPointer($0), into: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}
