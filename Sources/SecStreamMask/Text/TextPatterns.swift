/// Sensitive values inside free text (`message`, URLs, command lines), found
/// by linear-time RE2 patterns and replaced in place:
///
/// | kind | finds | becomes |
/// |---|---|---|
/// | `url_password` | `scheme://user:secret@` | `scheme://[redacted]@` |
/// | `bearer` | `Bearer <token>` | `Bearer [redacted]` |
/// | `aws_key` | `AKIA…`/`ASIA…` access key ids | `[aws_key]` |
/// | `email` | e-mail addresses | `email_<hmac>` (stable pseudonym) |
/// | `card` | 13-19 digits (spaces, dashes) passing Luhn | `[card]` |
/// | `ipv6`, `ipv4` | addresses | their Crypto-PAn pseudonym |
/// | custom | the policy's regexes | `[<name>]` |
///
/// Secrets go first (a token may contain what looks like an address); each
/// kind has a byte it needs, checked before its regex runs.
struct TextPatterns: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case urlPassword = "url_password", bearer, awsKey = "aws_key", email, card, ipv6, ipv4
    }

    struct Rule: @unchecked Sendable {
        let name: String
        let kind: Kind?
        let regex: Regex
        /// A byte every match contains (skips the regex on most values).
        let needs: UInt8?
    }

    let rules: [Rule]

    static func builtin(_ kind: Kind) -> Rule {
        let pattern: String
        var needs: UInt8?
        switch kind {
        case .urlPassword: pattern = #"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:[^/\s@]*@"#; needs = UInt8(ascii: "@")
        case .bearer: pattern = #"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*"#; needs = nil
        case .awsKey: pattern = #"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"#; needs = UInt8(ascii: "A")
        case .email: pattern = #"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"#; needs = UInt8(ascii: "@")
        case .card: pattern = #"\b(?:[0-9][ \-]?){12,18}[0-9]\b"#; needs = nil
        case .ipv6: pattern = #"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3})?"#; needs = UInt8(ascii: ":")
        case .ipv4: pattern = #"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b"#; needs = UInt8(ascii: ".")
        }
        guard case .success(let regex) = Regex.compile(pattern) else { fatalError("built-in pattern \(kind) does not compile") }
        return Rule(name: kind.rawValue, kind: kind, regex: regex, needs: needs)
    }

    /// Replaces every match in `text`. `pseudonym` and `ip` produce the stable
    /// replacements for e-mail addresses and IPs (the masker's HMAC and Crypto-PAn).
    func apply(_ text: [UInt8], pseudonym: (ArraySlice<UInt8>) -> [UInt8],
               ip: (String) -> String?) -> [UInt8] {
        var current = text
        for rule in rules {
            if let needs = rule.needs, !current.contains(needs) { continue }
            if rule.kind == .card, !current.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { continue }
            if rule.kind == .bearer, !Self.containsBearer(current) { continue }
            current = replaceAll(rule, in: current, pseudonym: pseudonym, ip: ip)
        }
        return current
    }

    /// False when `apply` would give `text` back unchanged without running a
    /// regex: no rule finds the byte it needs (the same checks as `apply`'s).
    func mayChange(_ text: UnsafeRawBufferPointer) -> Bool {
        for rule in rules {
            if let needs = rule.needs, !text.contains(needs) { continue }
            if rule.kind == .card, !text.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { continue }
            if rule.kind == .bearer, !Self.containsBearer(text) { continue }
            return true
        }
        return false
    }

    private static func containsBearer(_ s: [UInt8]) -> Bool { s.withUnsafeBytes { containsBearer($0) } }

    private static func containsBearer(_ s: UnsafeRawBufferPointer) -> Bool {
        let lower = Array("earer".utf8)
        guard s.count >= 6 else { return false }
        for i in 1...(s.count - 5) where s[i] | 0x20 == lower[0] {
            if zip(s[i..<(i + 5)], lower).allSatisfy({ $0 | 0x20 == $1 }) { return true }
        }
        return false
    }

    private func replaceAll(_ rule: Rule, in text: [UInt8], pseudonym: (ArraySlice<UInt8>) -> [UInt8],
                            ip: (String) -> String?) -> [UInt8] {
        var out: [UInt8] = []
        var copied = 0
        var at = 0
        text.withUnsafeBytes { buffer in
            while at <= buffer.count, let match = rule.regex.find(in: buffer, from: at) {
                at = match.isEmpty ? match.upperBound + 1 : match.upperBound
                let found = text[match]
                guard let replacement = replacement(rule, found, pseudonym: pseudonym, ip: ip) else { continue }
                out.append(contentsOf: text[copied..<match.lowerBound])
                out.append(contentsOf: replacement)
                copied = match.upperBound
            }
        }
        if copied == 0 { return text }
        out.append(contentsOf: text[copied...])
        return out
    }

    /// nil: not what it looks like (a Luhn failure, an invalid address); left as it is.
    private func replacement(_ rule: Rule, _ found: ArraySlice<UInt8>, pseudonym: (ArraySlice<UInt8>) -> [UInt8],
                             ip: (String) -> String?) -> [UInt8]? {
        guard let kind = rule.kind else { return Array("[\(rule.name)]".utf8) }
        switch kind {
        case .urlPassword:
            guard let scheme = found.firstRange(of: Array("://".utf8)) else { return nil }
            return Array(found[found.startIndex..<scheme.upperBound]) + Array("[redacted]@".utf8)
        case .bearer:
            return Array(found.prefix(6)) + Array(" [redacted]".utf8)
        case .awsKey:
            return Array("[aws_key]".utf8)
        case .email:
            return Array("email_".utf8) + pseudonym(found)
        case .card:
            let digits = found.filter { $0 >= 0x30 && $0 <= 0x39 }.map { $0 - 0x30 }
            return Luhn.isValid(digits) ? Array("[card]".utf8) : nil
        case .ipv6, .ipv4:
            let text = String(decoding: found, as: UTF8.self)
            if kind == .ipv6, text.filter({ $0 == ":" }).count < 2 { return nil }
            return ip(text).map { Array($0.utf8) }
        }
    }
}
