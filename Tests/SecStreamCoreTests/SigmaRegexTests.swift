import XCTest
import Foundation
@testable import SecStreamCore

/// `|re` on bytes agrees with NSRegularExpression, and falls back to it outside
/// Sigma's regex flavor.
final class SigmaRegexTests: XCTestCase {
    private let arena = MatcherArena()

    private func regex(_ pattern: String, i: Bool = false, s: Bool = false) -> ByteRegex {
        var options: NSRegularExpression.Options = []
        if i { options.insert(.caseInsensitive) }
        if s { options.insert(.dotMatchesLineSeparators) }
        let compiled = try! NSRegularExpression(pattern: pattern, options: options)
        return ByteRegex(pattern: pattern, compiled: compiled, caseInsensitive: i, dotAll: s, arena: arena)
    }

    private func icu(_ pattern: String, _ text: String, i: Bool) -> Bool {
        let r = try! NSRegularExpression(pattern: pattern, options: i ? [.caseInsensitive] : [])
        return r.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    private func bytesMatch(_ r: ByteRegex, _ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { r.matches(UnsafeRawBufferPointer($0)) }
    }

    func testAgreesWithICUOnTheSigmaFlavor() {
        let patterns = [
            "^[a-z0-9]{32,}\\.", "abc", "^abc$", "a.c", "a*b+c?", "(ab|cd)+e", "^(?:GET|POST) /admin",
            "[^a-z]x", "\\d{2,4}-\\d+", "\\w+@\\w+\\.com$", "\\s\\S", "colou?r", "a{3}", "a{2,}b", "x{1,3}?y",
            "[A-Fa-f0-9]{8}(-[A-Fa-f0-9]{4}){3}", "(a|ab)(c|bcd)(d*)", "\\.\\./\\.\\.", "[-.a]z", "[]a]+", "^$",
            "(foo|foobar)$", "[\\d.]+:\\d+", "\\W", "^/wp-(admin|login)\\.php",
        ]
        let inputs = [
            "", "abc", "xabcx", "aXc", "abbbc", "ababcde", "cde", "GET /admin/x", "post /admin", "1x", "ax",
            "12-345", "1-2", "bob@example.com", "bob@example.com.org", " x", "color", "colour", "aaa", "aab",
            "xxxy", "0123abcd-0000-1111-ffff", "abcd", "../..", "-z", "]]a", "foobar", "10.0.0.1:8080",
            "aGVsbG8gd29ybGQgdGhpcyBpcyBleGZpbA.t.evil.com", "www.example.com", "/wp-admin.php", "/wp-login.php?x",
        ]
        for pattern in patterns {
            for insensitive in [false, true] {
                let r = regex(pattern, i: insensitive)
                XCTAssertNotNil(r.program, "\(pattern) is in the flavor and runs on bytes")
                for input in inputs + inputs.map({ $0.uppercased() }) {
                    XCTAssertEqual(bytesMatch(r, input), icu(pattern, input, i: insensitive),
                                   "/\(pattern)/\(insensitive ? "i" : "") on '\(input)'")
                }
            }
        }
    }

    func testOutsideTheFlavorFallsBackToICU() {
        for pattern in ["\\bword\\b", "(?=a)a", "(a)\\1", "\\p{L}+", "é+", "a*+", "[[a]]", "\\x41"] {
            let r = regex(pattern)
            XCTAssertNil(r.program, pattern)
        }
        XCTAssertTrue(bytesMatch(regex("\\bword\\b"), "a word here"))
        XCTAssertFalse(bytesMatch(regex("\\bword\\b"), "awordy"))
        XCTAssertTrue(bytesMatch(regex("(a)\\1"), "xaax"))
    }

    func testNonASCIIAndLineBreakValuesGoToICU() {
        let dot = regex("^h.llo$")
        XCTAssertNotNil(dot.program)
        XCTAssertTrue(bytesMatch(dot, "h\u{e9}llo"), "`.` is one character, not one byte")
        XCTAssertFalse(bytesMatch(dot, "h\nllo"), "`.` does not match a line break")
        XCTAssertTrue(bytesMatch(regex("^h.llo$", s: true), "h\nllo"))
        XCTAssertTrue(bytesMatch(regex("x$"), "x\n"), "`$` matches before a final line break, as ICU does")
    }

    func testPathologicalPatternsStayCorrect() {
        let r = regex("(a*)*b")
        let input = String(repeating: "a", count: 18)
        var copy = input
        XCTAssertNil(copy.withUTF8 { r.fastMatch(UnsafeRawBufferPointer($0)) }, "the step budget stops the byte program")
        XCTAssertFalse(bytesMatch(r, input), "and ICU answers")
        XCTAssertTrue(bytesMatch(r, input + "b"))
    }

    func testLengthPrecheck() {
        XCTAssertEqual(regex("^[a-z0-9]{32,}\\.").minimumLength, 33)
        XCTAssertEqual(regex("(ab|c)d?").minimumLength, 1)
    }
}
