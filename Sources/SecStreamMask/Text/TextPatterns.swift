import CJSONScan

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
/// Secrets go first (a token may contain what looks like an address). Each
/// kind's regex runs only where one pass over the text (`TextClues`) found
/// what every match of it contains — an `@` and `://`, `AKIA`/`ASIA`, two
/// colons, 13 digits in a row, `bearer` — since a message with an address
/// in it otherwise paid for a regex pass per kind.
struct TextPatterns: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case urlPassword = "url_password", bearer, awsKey = "aws_key", email, card, ipv6, ipv4
    }

    struct Rule: @unchecked Sendable {
        let name: String
        let kind: Kind?
        let regex: Regex
        /// A custom rule's replacement, `[name]`, as bytes.
        let label: [UInt8]

        init(name: String, kind: Kind?, regex: Regex) {
            self.name = name
            self.kind = kind
            self.regex = regex
            label = Array("[\(name)]".utf8)
        }
    }

    let rules: [Rule]
    /// Each rule's kind, read without copying the rule (a copy retains its
    /// name, regex and label: three retains and releases per rule per text).
    private let kinds: [Kind?]

    init(rules: [Rule]) {
        self.rules = rules
        kinds = rules.map(\.kind)
    }

    static func builtin(_ kind: Kind) -> Rule {
        // What a text must hold for each to match is `TextClues`'s to know.
        let pattern: String
        switch kind {
        case .urlPassword: pattern = #"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:[^/\s@]*@"#
        case .bearer: pattern = #"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*"#
        case .awsKey: pattern = #"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"#
        case .email: pattern = #"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"#
        case .card: pattern = #"\b(?:[0-9][ \-]?){12,18}[0-9]\b"#
        case .ipv6: pattern = #"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3})?"#
        case .ipv4: pattern = #"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b"#
        }
        guard case .success(let regex) = Regex.compile(pattern) else { fatalError("built-in pattern \(kind) does not compile") }
        return Rule(name: kind.rawValue, kind: kind, regex: regex)
    }

    /// False when `apply` would give the text back unchanged without running
    /// a regex: no rule finds what it needs in the text's clues (the same
    /// checks as `apply`'s; pass the clues on to it).
    func mayChange(_ clues: TextClues) -> Bool { kinds.contains { clues.allow($0) } }

    /// The rules' kinds as `TextClues.kindBits`; nil when there is a custom
    /// rule (it may match anything) or no `ipv4` rule.
    var kindBits: UInt8? {
        var bits: UInt8 = 0
        for kind in kinds {
            guard let kind else { return nil }
            bits |= TextClues.bit(kind)
        }
        return bits & TextClues.bit(.ipv4) != 0 ? bits : nil
    }

    /// Replaces every match in `text`, rule after rule, each on what the
    /// rules before it left. No array per rule or replacement: a rule that
    /// replaces something writes the text it makes into one of `scratch`'s
    /// two buffers (the other holds its input), and `body` gets the last
    /// one, or `text` itself when nothing was replaced. A replacement can
    /// bring what a later kind needs (a pseudonym's digits), so the clues are
    /// found again after one. `values` makes the keyed replacements (e-mail,
    /// addresses). A test holds the bytes to RE2 running every rule.
    @inline(__always)
    func apply<Values: TextReplacementValues, R>(_ text: UnsafeRawBufferPointer, clues known: TextClues,
                                                 scratch: inout TextScratch, values: Values,
                                                 _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var current = 0  // 0: `text`, 1: scratch.a, 2: scratch.b
        var clues = known
        var stale = false
        for rule in 0..<kinds.count {
            if stale {
                clues = current == 0 ? TextClues(text)
                    : current == 1 ? scratch.a.withUnsafeBytes { TextClues($0) } : scratch.b.withUnsafeBytes { TextClues($0) }
                stale = false
            }
            guard clues.allow(kinds[rule]) else { continue }
            switch current {
            case 0:
                if replaceAll(rule, in: text, into: &scratch.a, values: values) { current = 1; stale = true }
            case 1:
                if scratch.a.withUnsafeBytes({ replaceAll(rule, in: $0, into: &scratch.b, values: values) }) { current = 2; stale = true }
            default:
                if scratch.b.withUnsafeBytes({ replaceAll(rule, in: $0, into: &scratch.a, values: values) }) { current = 1; stale = true }
            }
        }
        switch current {
        case 0: return body(text)
        case 1: return scratch.a.withUnsafeBytes(body)
        default: return scratch.b.withUnsafeBytes(body)
        }
    }

    /// `text` with every match of `rule` replaced, written to `out` (emptied
    /// first); false when nothing was replaced (`out` then holds nothing useful).
    @inline(__always)
    private func replaceAll<Values: TextReplacementValues>(_ rule: Int, in text: UnsafeRawBufferPointer,
                                                           into out: inout [UInt8], values: Values) -> Bool {
        out.removeAll(keepingCapacity: true)
        var replaced = false
        var copied = 0
        var at = 0
        let kind = kinds[rule]
        while at <= text.count, let match = kind == .ipv4 ? DottedQuadFinder.find(in: text, from: at)
                                              : kind == .email ? EmailFinder.find(in: text, from: at)
                                              : rules[rule].regex.find(in: text, from: at) {
            at = match.isEmpty ? match.upperBound + 1 : match.upperBound
            // The run before the match goes out first; a replacement that
            // declines leaves `copied` there, so the match is copied with the next run.
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[copied..<match.lowerBound]))
            copied = match.lowerBound
            guard write(rule, UnsafeRawBufferPointer(rebasing: text[match]), into: &out, values: values) else { continue }
            replaced = true
            copied = match.upperBound
        }
        guard replaced else { return false }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[copied...]))
        return true
    }

    /// Appends `replacement`'s bytes for `found`; false (nothing appended) where it gives nil.
    @inline(__always)
    private func write<Values: TextReplacementValues>(_ rule: Int, _ found: UnsafeRawBufferPointer,
                                                      into out: inout [UInt8], values: Values) -> Bool {
        guard let kind = kinds[rule] else {
            out.append(contentsOf: rules[rule].label)
            return true
        }
        switch kind {
        case .urlPassword:
            guard let scheme = Self.schemeEnd(found) else { return false }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: found[..<scheme]))
            out.append(contentsOf: Self.redactedAt)
        case .bearer:
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: found.prefix(6)))
            out.append(contentsOf: Self.spaceRedacted)
        case .awsKey:
            out.append(contentsOf: Self.awsKeyLabel)
        case .email:
            values.appendPseudonym(email: found, into: &out)
        case .card:
            guard Luhn.isValid(text: found) else { return false }
            out.append(contentsOf: Self.cardLabel)
        case .ipv6, .ipv4:
            if kind == .ipv6, found.lazy.filter({ $0 == UInt8(ascii: ":") }).count < 2 { return false }
            return values.appendPseudonym(address: found, into: &out)
        }
        return true
    }

    /// The end of the first `://` in `found`.
    private static func schemeEnd(_ found: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        while i &+ 3 <= found.count {
            if found[i] == UInt8(ascii: ":") && found[i &+ 1] == UInt8(ascii: "/") && found[i &+ 2] == UInt8(ascii: "/") { return i &+ 3 }
            i &+= 1
        }
        return nil
    }

    private static let redactedAt = Array("[redacted]@".utf8)
    private static let spaceRedacted = Array(" [redacted]".utf8)
    private static let awsKeyLabel = Array("[aws_key]".utf8)
    private static let cardLabel = Array("[card]".utf8)
}

/// The replacements `TextPatterns.apply` needs the masker's keys for.
protocol TextReplacementValues {
    /// Appends `email_` and the address's pseudonym.
    func appendPseudonym<Output: MaskOutput>(email found: UnsafeRawBufferPointer, into out: inout Output)
    /// Appends the address's Crypto-PAn pseudonym; false (nothing appended)
    /// when `found` is not an address.
    func appendPseudonym<Output: MaskOutput>(address found: UnsafeRawBufferPointer, into out: inout Output) -> Bool
}

/// The two buffers the rules of a text write into in turn, kept by the
/// masker for their capacity.
struct TextScratch {
    var a: [UInt8] = []
    var b: [UInt8] = []
}

/// What one pass over a text found that the pattern kinds need: a kind's
/// regex cannot match a text without it (each is implied by the kind's
/// pattern), so skipping the regex changes no result. The pass is
/// `secstream_text_clues` (C, 64 bytes a step: it runs on every free-text
/// value, and a byte loop here was a tenth of masking an archived event).
struct TextClues {
    /// The built-in kinds whose regex could match, a bit each (`bit`): the
    /// text holds an `@` and `://` (url_password), `bearer` in any case,
    /// `AKIA`/`ASIA` (aws_key), an `@` (email), 13 digits in a row with
    /// single ' ' or '-' between them allowed (card), two colons (ipv6), a
    /// dot (ipv4).
    private(set) var kindBits: UInt8 = 0
    /// A byte JSON escaping writes differently (`"`, `\\`, control, non-ASCII):
    /// without one, the escaped text is the text.
    private(set) var needsEscape = false

    init(_ text: UnsafeRawBufferPointer) {
        var c = secstream_text_clues_t()
        if let p = text.baseAddress?.assumingMemoryBound(to: UInt8.self), text.count > 0 { secstream_text_clues(p, text.count, &c) }
        self.init(c)
    }

    /// The clues of a pass already made.
    init(_ c: secstream_text_clues_t) {
        var c = c
        kindBits = secstream_text_kind_bits(&c)
        needsEscape = c.needs_escape != 0
    }

    /// A kind's bit in `kindBits`.
    @inline(__always)
    static func bit(_ kind: TextPatterns.Kind) -> UInt8 {
        switch kind {
        case .urlPassword: return UInt8(SECSTREAM_TEXT_KIND_URL_PASSWORD)
        case .bearer: return UInt8(SECSTREAM_TEXT_KIND_BEARER)
        case .awsKey: return UInt8(SECSTREAM_TEXT_KIND_AWS_KEY)
        case .email: return UInt8(SECSTREAM_TEXT_KIND_EMAIL)
        case .card: return UInt8(SECSTREAM_TEXT_KIND_CARD)
        case .ipv6: return UInt8(SECSTREAM_TEXT_KIND_IPV6)
        case .ipv4: return UInt8(SECSTREAM_TEXT_KIND_IPV4)
        }
    }

    /// Whether `rule`'s regex could match (a custom regex always could).
    func allow(_ rule: TextPatterns.Rule) -> Bool { allow(rule.kind) }

    /// Whether a rule of `kind` could match (nil: a custom regex, which always could).
    @inline(__always)
    func allow(_ kind: TextPatterns.Kind?) -> Bool {
        guard let kind else { return true }
        return kindBits & Self.bit(kind) != 0
    }
}
