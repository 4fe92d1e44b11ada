import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// IP addresses as text <-> bits, through the C library's inet_pton/inet_ntop
/// (IPv6 printed in RFC 5952 form).
public enum IPText {
    public enum Address: Equatable {
        case v4(UInt32)
        case v6(IPv6Bits)
    }

    public static func parse(_ text: String) -> Address? {
        if text.utf8.contains(UInt8(ascii: ":")) {
            var a = in6_addr()
            guard inet_pton(AF_INET6, text, &a) == 1 else { return nil }
            return .v6(withUnsafeBytes(of: &a) { b in
                var high: UInt64 = 0, low: UInt64 = 0
                for i in 0..<8 { high = high << 8 | UInt64(b[i]) }
                for i in 8..<16 { low = low << 8 | UInt64(b[i]) }
                return IPv6Bits(high: high, low: low)
            })
        }
        var a = in_addr()
        guard inet_pton(AF_INET, text, &a) == 1 else { return nil }
        return .v4(UInt32(bigEndian: a.s_addr))
    }

    public static func format(_ address: Address) -> String {
        switch address {
        case .v4(let v):
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        case .v6(let bits):
            var a = in6_addr()
            withUnsafeMutableBytes(of: &a) { b in
                for i in 0..<8 { b[i] = UInt8(truncatingIfNeeded: bits.high >> UInt64(56 - 8 * i)) }
                for i in 0..<8 { b[8 + i] = UInt8(truncatingIfNeeded: bits.low >> UInt64(56 - 8 * i)) }
            }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count)) != nil else { return "::" }
            return String(cString: buffer)
        }
    }
}
