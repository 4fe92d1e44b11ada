import Foundation

/// The policy's secret: 32 bytes, from `key_file` (64 hex characters) or the
/// `SECSTREAM_MASK_KEY` environment variable, never from argv (command lines
/// are visible to every user of the machine). The same 32 bytes are the
/// Crypto-PAn key (AES key, then pad, as the reference implementation) and the
/// HMAC key. `id` names the key so pseudonyms of different keys can be told apart
/// after a rotation (`{key_id}` in an hmac prefix).
public struct MaskKey: Sendable {
    public let id: String
    public let bytes: [UInt8]

    public init(id: String, bytes: [UInt8]) {
        self.id = id
        self.bytes = bytes
    }

    public static let environmentVariable = "SECSTREAM_MASK_KEY"

    /// 64 hex characters (surrounding white space ignored) as 32 bytes.
    public static func parseHex(_ text: String) -> [UInt8]? {
        let hex = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard hex.count == 64 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let h = nibble(hex[i]), let l = nibble(hex[i + 1]) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
