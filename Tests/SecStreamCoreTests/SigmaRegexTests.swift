import XCTest
import Foundation
@testable import SecStreamCore

/// `|re` runs on RE2: it agrees with a backtracking engine (ICU) on Sigma's
/// flavor, takes linear time on patterns that make backtracking engines
/// explode, and reports the constructs RE2 cannot run as unsupported.
final class SigmaRegexTests: XCTestCase {
    private let arena = MatcherArena()

    private func regex(_ pattern: String, i: Bool = false, m: Bool = false, s: Bool = false) -> SigmaRegex {
        var flags: SigmaRegex.Flags = []
        if i { flags.insert(.caseInsensitive) }
        if m { flags.insert(.multiLine) }
        if s { flags.insert(.dotAll) }
        guard case .regex(let r) = SigmaRegex.compile(pattern, flags: flags, arena: arena) else {
            XCTFail("\(pattern) does not compile"); fatalError()
        }
        return r
    }

    private func icu(_ pattern: String, _ text: String, i: Bool) -> Bool {
        let r = try! NSRegularExpression(pattern: pattern, options: i ? [.caseInsensitive] : [])
        return r.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    private func bytesMatch(_ r: SigmaRegex, _ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { r.matches(UnsafeRawBufferPointer($0)) }
    }

    func testAgreesWithICUOnTheSigmaFlavor() {
        let patterns = [
            "^[a-z0-9]{32,}\\.", "abc", "^abc$", "a.c", "a*b+c?", "(ab|cd)+e", "^(?:GET|POST) /admin",
            "[^a-z]x", "\\d{2,4}-\\d+", "\\w+@\\w+\\.com$", "\\s\\S", "colou?r", "a{3}", "a{2,}b", "x{1,3}?y",
            "[A-Fa-f0-9]{8}(-[A-Fa-f0-9]{4}){3}", "(a|ab)(c|bcd)(d*)", "\\.\\./\\.\\.", "[-.a]z", "[]a]+", "^$",
            "(foo|foobar)$", "[\\d.]+:\\d+", "\\W", "^/wp-(admin|login)\\.php", "\\bword\\b", "\\x41", "(?i)abc",
        ]
        let inputs = [
            "", "abc", "xabcx", "aXc", "abbbc", "ababcde", "cde", "GET /admin/x", "post /admin", "1x", "ax",
            "12-345", "1-2", "bob@example.com", "bob@example.com.org", " x", "color", "colour", "aaa", "aab",
            "xxxy", "0123abcd-0000-1111-ffff", "abcd", "../..", "-z", "]]a", "foobar", "10.0.0.1:8080",
            "aGVsbG8gd29ybGQgdGhpcyBpcyBleGZpbA.t.evil.com", "www.example.com", "/wp-admin.php", "/wp-login.php?x",
            "a word here", "awordy", "A",
        ]
        for pattern in patterns {
            for insensitive in [false, true] {
                let r = regex(pattern, i: insensitive)
                for input in inputs + inputs.map({ $0.uppercased() }) {
                    XCTAssertEqual(bytesMatch(r, input), icu(pattern, input, i: insensitive),
                                   "/\(pattern)/\(insensitive ? "i" : "") on '\(input)'")
                }
            }
        }
    }

    func testNonASCIIAndLineBreakValues() {
        let dot = regex("^h.llo$")
        XCTAssertTrue(bytesMatch(dot, "h\u{e9}llo"), "`.` is one character, not one byte")
        XCTAssertFalse(bytesMatch(dot, "h\nllo"), "`.` does not match a line break")
        XCTAssertTrue(bytesMatch(regex("^h.llo$", s: true), "h\nllo"))
        XCTAssertTrue(bytesMatch(regex("x$"), "x\n"), "`$` matches before a final line break, as PCRE does")
        XCTAssertFalse(bytesMatch(regex("x$"), "x\n\n"))
        XCTAssertFalse(bytesMatch(regex("x$"), "x\ny"))
        XCTAssertTrue(bytesMatch(regex("x$", m: true), "x\ny"), "`m`: `$` at every line end")
        XCTAssertTrue(bytesMatch(regex("^y", m: true), "x\ny"))
        XCTAssertFalse(bytesMatch(regex("^y"), "x\ny"))
        XCTAssertTrue(bytesMatch(regex("\u{c9}t\u{c9}", i: true), "\u{e9}t\u{e9}"), "`i` folds beyond ASCII")
    }

    /// An ill-formed UTF-8 sequence is one U+FFFD character, as in a decoded
    /// String: a stray byte cannot hide a value from `.*`.
    func testIllFormedUTF8IsOneReplacementCharacter() {
        func search(_ r: SigmaRegex, _ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { r.matches($0) } }
        let value: [UInt8] = [0x61, 0xFF, 0xC3, 0x62, 0x80, 0x63]  // a, bad, truncated é, b, bad, c
        XCTAssertTrue(search(regex("b.c"), value))
        XCTAssertTrue(search(regex("^a..b.c$"), value))
        XCTAssertFalse(search(regex("^a...b"), value))
        XCTAssertTrue(search(regex("cmd.*evil"), Array("cmd ".utf8) + [0xFF] + Array(" evil".utf8)))
        XCTAssertTrue(search(regex("^h.llo$"), [0x68, 0xE2, 0x82, 0x6C, 0x6C, 0x6F]), "a truncated sequence is one character")
        XCTAssertTrue(search(regex("^h...llo$"), [0x68, 0xED, 0xA0, 0x80, 0x6C, 0x6C, 0x6F]), "a surrogate is three")
        for bytes in [[0x68, 0xE2, 0x82, 0x6C, 0x6C, 0x6F], [0x68, 0xED, 0xA0, 0x80, 0x6C, 0x6C, 0x6F], [0xF0, 0x9F, 0x98, 0x41, 0xC0, 0xAF]] as [[UInt8]] {
            let decoded = String(decoding: bytes, as: UTF8.self)
            XCTAssertTrue(search(regex("^" + NSRegularExpression.escapedPattern(for: decoded) + "$"), bytes),
                          "the same characters as String(decoding:) sees: \(bytes)")
        }
        XCTAssertTrue(regex("^$").matches(UnsafeRawBufferPointer(start: nil, count: 0)))
    }

    func testPathologicalPatternsStayCorrect() {
        let r = regex("(a*)*b")
        let input = String(repeating: "a", count: 18)
        XCTAssertFalse(bytesMatch(r, input))
        XCTAssertTrue(bytesMatch(r, input + "b"))
    }

    func testNamedGroupsInPCRESpellingCompile() {
        XCTAssertTrue(bytesMatch(regex("(?<user>adm[a-z]+)@(?<host>\\w+)"), "x administrator@dc01"))
        XCTAssertTrue(bytesMatch(regex("[(?<]x(?<n>y)"), "<xy"), "a `(?<` in a class is no group")
    }

    // MARK: - Rules

    private func rule(_ field: String, _ pattern: String) throws -> RuleSet {
        let quoted = "'" + pattern.replacingOccurrences(of: "'", with: "''") + "'"
        return try RuleTestSupport.detection("  sel:\n    \(field): \(quoted)\n  condition: sel\n")
    }

    private static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Patterns that take a backtracking engine exponential (or high
    /// polynomial) time on a 10 KiB value: each event stays under 10 ms of CPU.
    /// A bound, not a benchmark.
    func testReDoSPatternsRunInLinearTime() throws {
        let adversarial = String(repeating: "a", count: 10_240) + "!"
        let cases: [(pattern: String, value: String, matches: Bool)] = [
            ("^(a+)+$", adversarial, false),
            ("(a|a)*b", adversarial, false),
            ("(.*a){20}", adversarial, true),
            ("(.*a){20}", String(repeating: "a", count: 19) + String(repeating: "!", count: 10_221), false),
            ("^(a|aa)*$", adversarial, false),
        ]
        for c in cases {
            let set = try rule("url.original|re", c.pattern)
            let json = #"{"url":{"original":"\#(c.value)"}}"#
            let events = 20
            let start = Self.threadCPUSeconds()
            for _ in 0..<events {
                XCTAssertEqual(RuleTestSupport.matches(set, json), c.matches, c.pattern)
            }
            let perEvent = (Self.threadCPUSeconds() - start) / Double(events)
            XCTAssertLessThan(perEvent, 0.010, "\(c.pattern): \(perEvent * 1000) ms of CPU per event")
        }
    }

    func testRegexModifiersOnRules() throws {
        let m = try RuleTestSupport.detection("  sel:\n    msg|re|m: '^root$'\n  condition: sel\n")
        XCTAssertTrue(RuleTestSupport.matches(m, #"{"msg":"user\nroot\nend"}"#))
        let plain = try rule("msg|re", "^root$")
        XCTAssertFalse(RuleTestSupport.matches(plain, #"{"msg":"user\nroot\nend"}"#))
        let s = try RuleTestSupport.detection("  sel:\n    msg|re|s: 'a.b'\n  condition: sel\n")
        XCTAssertTrue(RuleTestSupport.matches(s, #"{"msg":"a\nb"}"#))
        XCTAssertFalse(RuleTestSupport.matches(plain, #"{"msg":"a\nb"}"#))
        let i = try RuleTestSupport.detection("  sel:\n    msg|re|i: 'ROOT'\n  condition: sel\n")
        XCTAssertTrue(RuleTestSupport.matches(i, #"{"msg":"root"}"#))
        XCTAssertFalse(RuleTestSupport.matches(try rule("msg|re", "ROOT"), #"{"msg":"root"}"#))
        XCTAssertTrue(RuleTestSupport.matches(try rule("msg|re", #"\\"x\\""#), #"{"msg":"\\\"x\\\""}"#),
                      "the value is the unescaped JSON string")
    }

    private func loadError(_ pattern: String, file: StaticString = #filePath, line: UInt = #line) -> RuleError? {
        let quoted = "'" + pattern.replacingOccurrences(of: "'", with: "''") + "'"
        let text = "title: test\nid: test-rule\ndetection:\n  sel:\n    a|re: \(quoted)\n  condition: sel\n"
        return RuleTestSupport.loadError([("r.yml", text)], file: file, line: line)
    }

    func testConstructsWithoutALinearTimeEngineAreUnsupported() {
        let cases = [
            ("(a)\\1", "a backreference '\\1'"), ("(?<n>a)\\k<n>", "a backreference '\\k'"),
            ("(?=x)x", "a lookahead '(?='"), ("a(?!x)", "a negative lookahead '(?!'"),
            ("(?<=x)y", "a lookbehind '(?<='"), ("(?<n>a)(?<!x)y", "a negative lookbehind '(?<!'"),
            ("a*+b", "a possessive quantifier '*+'"), ("a{2}+", "a possessive quantifier '{2}+'"),
            ("(?>a+)b", "an atomic group '(?>'"), ("(?P<n>a)(?P=n)", "a backreference '(?P='"),
            ("[(?P]x(?P<n>a)(?P>n)", "a recursive pattern '(?P>'"), ("(a)(?1)", "a recursive pattern '(?1'"),
        ]
        for (pattern, feature) in cases {
            let e = loadError(pattern)
            XCTAssertEqual(e?.isUnsupported, true, pattern)
            XCTAssertEqual(e?.description, "r.yml:5: regular expression uses \(feature), which has no linear-time engine")
        }
        XCTAssertEqual(loadError("x\\Z")?.isUnsupported, true, "valid PCRE that RE2 lacks")
    }

    func testBrokenPatternIsFatal() {
        for pattern in ["(", "([a-z]", "a**", "*a", "x{2,1}", "[z-a]", "a)", "(?P<n>a)(?Px)", "(?Q)"] {
            let e = loadError(pattern)
            XCTAssertEqual(e?.isUnsupported, false, pattern)
            XCTAssertEqual(e?.description, "r.yml:5: bad regular expression '\(pattern)'")
        }
    }
}
