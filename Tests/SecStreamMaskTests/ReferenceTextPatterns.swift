@testable import SecStreamMask

/// The free-text patterns as the tests' reference: every rule's RE2 regex
/// (also for the kinds the masker finds by hand), run on every text — no
/// clues, no buffers — each on what the rules before it left, with the
/// replacements built from the public HMAC and Crypto-PAn. `TextPatterns.apply`
/// must give the same bytes.
enum ReferenceTextPatterns {
    static func apply(_ patterns: TextPatterns, _ text: [UInt8], masker: EventMasker) -> [UInt8] {
        var current = text
        for rule in patterns.rules {
            var out: [UInt8] = []
            var copied = 0, at = 0
            current.withUnsafeBytes { buffer in
                while at <= buffer.count, let match = rule.regex.find(in: buffer, from: at) {
                    at = match.isEmpty ? match.upperBound + 1 : match.upperBound
                    guard let replacement = replacement(rule, Array(current[match]), masker) else { continue }
                    out += current[copied..<match.lowerBound] + replacement
                    copied = match.upperBound
                }
            }
            if copied > 0 || out.count > 0 { current = out + current[copied...] }
        }
        return current
    }

    /// nil: not what it looks like (a Luhn failure, an invalid address).
    private static func replacement(_ rule: TextPatterns.Rule, _ found: [UInt8], _ masker: EventMasker) -> [UInt8]? {
        guard let kind = rule.kind else { return Array("[\(rule.name)]".utf8) }
        switch kind {
        case .urlPassword:
            guard let scheme = found.firstRange(of: Array("://".utf8)) else { return nil }
            return Array(found[..<scheme.upperBound]) + Array("[redacted]@".utf8)
        case .bearer:
            return Array(found.prefix(6)) + Array(" [redacted]".utf8)
        case .awsKey:
            return Array("[aws_key]".utf8)
        case .email:
            let pseudonym = HMACPseudonym(key: masker.policy.key.bytes, length: 16).pseudonym(String(decoding: found, as: UTF8.self))
            return Array("email_\(pseudonym)".utf8)
        case .card:
            let digits = found.filter { $0 >= 0x30 && $0 <= 0x39 }.map { Int($0 - 0x30) }
            guard (13...19).contains(digits.count) else { return nil }
            let sum = digits.reversed().enumerated().reduce(0) { sum, e in
                let v = e.offset % 2 == 1 ? e.element * 2 : e.element
                return sum + (v > 9 ? v - 9 : v)
            }
            return sum % 10 == 0 ? Array("[card]".utf8) : nil
        case .ipv6, .ipv4:
            if kind == .ipv6, found.filter({ $0 == UInt8(ascii: ":") }).count < 2 { return nil }
            return masker.cryptoPAnText(String(decoding: found, as: UTF8.self)).map { Array($0.utf8) }
        }
    }
}
