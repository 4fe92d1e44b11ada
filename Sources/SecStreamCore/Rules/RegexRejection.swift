/// Why RE2 refused a `|re` pattern: a construct of Sigma's (PCRE's) flavor
/// that RE2 cannot run, or a pattern that is no regular expression at all.
///
/// The difference decides what the loader does: a broken pattern is a fatal
/// rule error, while a valid pattern RE2 cannot run makes the rule unsupported
/// (skipped by a rule pack, like an unknown logsource). RE2 stops at the first
/// problem and names it (error code and the offending piece of the pattern),
/// so that piece is what is sorted here. The pattern itself is scanned only
/// where RE2 reports different constructs alike: `(?<` (look-behind or PCRE
/// named group) and `(?P` (Python back-reference, recursion, named group).
/// A pattern that is broken after its first unsupported construct (`(?=a`)
/// counts as unsupported: RE2 stops before the break, and the rule is not
/// run either way.
struct RegexRejection {
    enum Reason: Equatable {
        /// The first `(?<name>` respelled `(?P<name>`, the form this RE2 reads.
        case namedGroup(respelled: String)
        /// The construct, as the message "regular expression uses …" names it.
        case unsupported(String)
        /// RE2's explanation of a broken pattern.
        case invalid(String)
    }

    let reason: Reason

    // RE2::ErrorCode values (re2/re2.h).
    static let errorBadEscape = 2
    static let errorRepeatSize = 10
    static let errorRepeatOp = 11
    static let errorBadPerlOp = 12
    static let errorPatternTooLarge = 14

    init(pattern: String, code: Int, argument: String, message: String) {
        reason = RegexRejection.classify(pattern: pattern, code: code, argument: argument) ?? .invalid(message)
    }

    private static func classify(pattern: String, code: Int, argument: String) -> Reason? {
        let linear = ", which has no linear-time engine"
        switch code {
        case errorBadPerlOp:
            // `(?` followed by something RE2 has no group for; the argument is `(?` and one more character.
            switch argument {
            case "(?=": return .unsupported("a lookahead '(?='" + linear)
            case "(?!": return .unsupported("a negative lookahead '(?!'" + linear)
            case "(?>": return .unsupported("an atomic group '(?>'" + linear)
            case "(?(": return .unsupported("a conditional group '(?('" + linear)
            case "(?<": return lookBehindOrNamedGroup(pattern)
            case "(?P": return pythonBackreferenceOrRecursion(pattern)
            case "(?#": return .unsupported("a comment group '(?#', which RE2 does not support")
            case "(?|": return .unsupported("a branch-reset group '(?|', which RE2 does not support")
            default:
                if argument == "(?R" || argument == "(?&" || argument == "(?+" || argument.last?.isNumber == true {
                    return .unsupported("a recursive pattern '\(argument)'" + linear)
                }
                return nil
            }
        case errorBadEscape:
            guard argument.count == 2, let letter = argument.last else { return nil }
            if letter.isNumber && letter != "0" || letter == "k" || letter == "g" {
                return .unsupported("a backreference '\(argument)'" + linear)
            }
            // Valid PCRE escapes RE2 lacks (end-before-newline, \G, \K, horizontal space...).
            if "ZGKhHRXNe".contains(letter) {
                return .unsupported("'\(argument)', which RE2 does not support")
            }
            return nil
        case errorRepeatOp:
            // `a*+`, `a++`, `a?+`, `a{2}+`; RE2 names the quantifier and the `+` after it.
            if argument.count >= 2, argument.last == "+" {
                return .unsupported("a possessive quantifier '\(argument)'" + linear)
            }
            return nil
        case errorRepeatSize:
            // RE2 caps counted repetition at 1000; `{2,1}` is simply broken.
            if let bounds = repetitionBounds(argument), bounds.allSatisfy({ $0 <= 65_535 }),
               bounds.count < 2 || bounds[0] <= bounds[1], bounds.contains(where: { $0 > 1000 }) {
                return .unsupported("a repetition count above 1000, which RE2 does not support")
            }
            return nil
        case errorPatternTooLarge:
            return .unsupported("a program larger than RE2's memory budget for one rule")
        default:
            return nil
        }
    }

    /// `{n}`, `{n,}`, `{n,m}` -> the numbers written.
    private static func repetitionBounds(_ argument: String) -> [Int]? {
        guard argument.hasPrefix("{"), argument.hasSuffix("}") else { return nil }
        let numbers = argument.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: true)
        let values = numbers.compactMap { Int($0) }
        return values.count == numbers.count && !values.isEmpty ? values : nil
    }

    /// RE2 reports `(?<` for both; the first `(?<` outside escapes and
    /// character classes is the one it stopped at.
    private static func lookBehindOrNamedGroup(_ pattern: String) -> Reason? {
        let bytes = Array(pattern.utf8)
        guard let at = firstGroupOpening(bytes, "(?<"), at + 3 < bytes.count else { return nil }
        switch bytes[at + 3] {
        case UInt8(ascii: "="): return .unsupported("a lookbehind '(?<='" + ", which has no linear-time engine")
        case UInt8(ascii: "!"): return .unsupported("a negative lookbehind '(?<!'" + ", which has no linear-time engine")
        default:
            var respelled = bytes
            respelled.insert(UInt8(ascii: "P"), at: at + 2)
            return .namedGroup(respelled: String(decoding: respelled, as: UTF8.self))
        }
    }

    /// RE2 reads `(?P<name>` but reports `(?P` for Python's `(?P=name)`
    /// (a back-reference) and PCRE's `(?P>name)` (a recursive call) alike;
    /// after any other letter the group is broken.
    private static func pythonBackreferenceOrRecursion(_ pattern: String) -> Reason? {
        let bytes = Array(pattern.utf8)
        var from = 0
        // RE2 accepted every `(?P<` before the one it stopped at; skip those.
        while let at = firstGroupOpening(Array(bytes[from...]), "(?P").map({ $0 + from }), at + 3 < bytes.count {
            switch bytes[at + 3] {
            case UInt8(ascii: "="): return .unsupported("a backreference '(?P='" + ", which has no linear-time engine")
            case UInt8(ascii: ">"): return .unsupported("a recursive pattern '(?P>'" + ", which has no linear-time engine")
            case UInt8(ascii: "<"): from = at + 3
            default: return nil
            }
        }
        return nil
    }

    /// The offset of the first `prefix` that opens a group: not escaped, not
    /// inside `[...]`, not inside `\Q...\E`.
    static func firstGroupOpening(_ bytes: [UInt8], _ prefix: String) -> Int? {
        let want = Array(prefix.utf8)
        var i = 0
        var inClass = false
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\\") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "Q") {
                    // Quoted text runs to `\E` (or the end).
                    i += 2
                    while i < bytes.count, !(bytes[i] == UInt8(ascii: "\\") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "E")) { i += 1 }
                }
                i += 2
                continue
            }
            if inClass {
                if c == UInt8(ascii: "[") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: ":") {
                    // `[:alpha:]` inside a class.
                    if let end = find(bytes, [UInt8(ascii: ":"), UInt8(ascii: "]")], from: i + 2) { i = end + 2; continue }
                }
                if c == UInt8(ascii: "]") { inClass = false }
                i += 1
                continue
            }
            if c == UInt8(ascii: "[") {
                inClass = true
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "^") { i += 1 }
                // A `]` first in a class is a literal.
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1 }
                continue
            }
            if bytes[i...].starts(with: want) { return i }
            i += 1
        }
        return nil
    }

    private static func find(_ bytes: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        var i = from
        while i + needle.count <= bytes.count {
            if bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
