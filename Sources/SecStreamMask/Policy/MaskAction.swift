/// What the policy does to one field's value.
public enum MaskAction: Equatable, Sendable {
    /// A keyed HMAC-SHA256 pseudonym: `prefix` + `length` hex characters.
    case hmac(length: Int, prefix: String)
    /// Prefix-preserving IP pseudonym; a value that is not an IP is redacted.
    case cryptopan
    /// IPv4 to its /24, IPv6 to its /48, a time to its minute; anything else redacted.
    case truncate
    /// The value replaced by a fixed text.
    case redact(String)
    /// The field removed from the event.
    case drop
    /// Free text: the policy's patterns (e-mail, IPs, cards, keys, tokens,
    /// URL passwords, custom regexes) replaced inside the value.
    case patterns

    public static let redacted = "[redacted]"
}
