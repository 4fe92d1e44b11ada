import TestSupport
import XCTest
@testable import SecStreamCore

/// The byte-level pieces the matcher is built from.
final class SigmaPrimitiveTests: XCTestCase {
    private func bytes<R>(_ s: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var copy = s
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    func testIPv6Forms() {
        XCTAssertEqual(IPAddress.parse("::"), IPAddress(high: 0, low: 0))
        XCTAssertEqual(IPAddress.parse("::1"), IPAddress(high: 0, low: 1))
        XCTAssertEqual(IPAddress.parse("1:2:3:4:5:6:7:8"), IPAddress(high: 0x0001_0002_0003_0004, low: 0x0005_0006_0007_0008))
        XCTAssertEqual(IPAddress.parse("fe80::1%eth0"), IPAddress(high: 0xFE80_0000_0000_0000, low: 1))
        XCTAssertEqual(IPAddress.parse("2001:db8::"), IPAddress(high: 0x2001_0DB8_0000_0000, low: 0))
        XCTAssertEqual(IPAddress.parse("1::2:3"), IPAddress(high: 0x0001_0000_0000_0000, low: 0x0000_0000_0002_0003))
        XCTAssertEqual(IPAddress.parse("::ffff:192.168.0.1"), IPAddress.parse("192.168.0.1"))
        for bad in ["1:2:3:4:5:6:7:8:9", "1::2::3", ":1", "1:", "12345::", "g::1", "1:2:3:4:5:6:7", "::1.2.3", "", "1.2.3", "1.2.3.4.5", "01234.1.1.1"] {
            XCTAssertNil(IPAddress.parse(bad), bad)
        }
    }

    func testCIDRBlocks() {
        let v4 = CIDRBlock("172.16.0.0/12")!
        XCTAssertTrue(v4.contains(IPAddress.parse("172.31.255.255")!))
        XCTAssertFalse(v4.contains(IPAddress.parse("172.32.0.0")!))
        XCTAssertFalse(v4.contains(IPAddress.parse("::ac10:1")!), "a plain IPv6 address is not an IPv4 one")
        XCTAssertTrue(CIDRBlock("0.0.0.0/0")!.contains(IPAddress.parse("8.8.8.8")!))
        XCTAssertTrue(CIDRBlock("::/0")!.contains(IPAddress.parse("2001::1")!))
        XCTAssertTrue(CIDRBlock("2001:db8::1")!.contains(IPAddress.parse("2001:db8::1")!), "a bare address is a /128")
        XCTAssertFalse(CIDRBlock("2001:db8::1")!.contains(IPAddress.parse("2001:db8::2")!))
        XCTAssertTrue(CIDRBlock("2001:db8:0:0:8000::/65")!.contains(IPAddress.parse("2001:db8::ffff:0:0:1")!))
        XCTAssertFalse(CIDRBlock("2001:db8:0:0:8000::/65")!.contains(IPAddress.parse("2001:db8::7fff:0:0:1")!))
        XCTAssertNil(CIDRBlock("10.0.0.0/33"))
        XCTAssertNil(CIDRBlock("10.0.0.0/x"))
        XCTAssertNil(CIDRBlock("::/129"))
    }

    func testNumbersFromBytes() {
        XCTAssertEqual(bytes("-12.5e2") { ByteNumber.parse($0) }, -1250)
        XCTAssertEqual(bytes("+3") { ByteNumber.parse($0) }, 3)
        XCTAssertEqual(bytes("0.001") { ByteNumber.parse($0) }, 0.001)
        XCTAssertEqual(bytes("9007199254740993") { ByteNumber.parse($0) }, 9007199254740992, "beyond 2^53 rounds like a double")
        XCTAssertEqual(bytes("1E-2") { ByteNumber.parse($0) }, 0.01)
        for bad in ["", "-", "1e", "abc", "1.2.3", "12a", ".", "1 "] {
            XCTAssertNil(bytes(bad) { ByteNumber.parse($0) }, bad)
        }
    }

    func testUnescapeJSONStrings() {
        func unescape(_ raw: String) -> String {
            bytes(raw) { r in
                JSONStringUnescaper.withValue(r, escaped: true) { String(decoding: $0, as: UTF8.self) }
            }
        }
        XCTAssertEqual(unescape(#"a\"b\\c\/d\n\t"#), "a\"b\\c/d\n\t")
        XCTAssertEqual(unescape(#"caf\u00e9 \u20ac"#), "caf\u{e9} \u{20ac}")
        XCTAssertEqual(unescape(#"\ud83d\ude00"#), "\u{1F600}")
        XCTAssertEqual(unescape(#"lone \ud83d!"#), "lone \u{FFFD}!")
        XCTAssertEqual(unescape(#"bad \x and \u12"#), #"bad \x and \u12"#, "malformed escapes pass through")
    }

    func testArrayElementCursor() {
        let json = #"[ "a\"b", 12, true, null, {"k":[1,"]"]}, [false, "x"] ,-1.5]"#
        let elements: [(String, ValueKind)] = bytes(json) { raw in
            var cursor = ArrayElementCursor(raw)
            var out: [(String, ValueKind)] = []
            while let e = cursor.next() {
                out.append((String(decoding: UnsafeRawBufferPointer(rebasing: raw[e.start..<e.end]), as: UTF8.self), e.kind))
            }
            return out
        }
        XCTAssertEqual(elements.map(\.0), [#"a\"b"#, "12", "true", "null", #"{"k":[1,"]"]}"#, #"[false, "x"]"#, "-1.5"])
        XCTAssertEqual(elements.map(\.1), [.escapedString, .number, .trueValue, .null, .object, .array, .number])
        XCTAssertNil(bytes("[]") { raw -> (Int, Int, ValueKind)? in var c = ArrayElementCursor(raw); return c.next().map { ($0.start, $0.end, $0.kind) } })
    }

    func testWordAtATimeCaseFoldingMatchesByteFolding() {
        var rng = SplitMix(42)
        for _ in 0..<2000 {
            var w: UInt64 = 0
            // Bytes around the letter ranges and non-ASCII, where a lane trick would slip.
            for k in 0..<8 {
                let pick: [UInt8] = [0x40, 0x41, 0x5a, 0x5b, 0x60, 0x61, 0x7a, 0x7b, 0xc1, 0xda, 0xe1, 0x00, 0xff]
                let b = rng.next() % 3 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : pick[Int(rng.next() % UInt64(pick.count))]
                w |= UInt64(b) << UInt64(k * 8)
            }
            var expected: UInt64 = 0
            for k in 0..<8 { expected |= UInt64(StringPattern.lower(UInt8(truncatingIfNeeded: w >> UInt64(k * 8)))) << UInt64(k * 8) }
            XCTAssertEqual(StringPattern.lowerASCII8(w), expected, String(w, radix: 16))
        }
        let arena = MatcherArena()
        func matches(_ pattern: String, _ text: String, cased: Bool = false) -> Bool {
            let p = StringPattern(SigmaString(parsing: pattern), caseSensitive: cased, arena: arena)
            return bytes(text) { p.matches($0) }
        }
        XCTAssertTrue(matches("authentication", "AuThEnTiCaTiOn"))
        XCTAssertFalse(matches("authentication", "AuThEnTiCaTiOm"))
        XCTAssertFalse(matches("authentication", "authentication@"))
        XCTAssertFalse(matches("a@b[c`d{e", "A`B{C@D[E"), "punctuation next to the letters does not fold")
        XCTAssertTrue(matches("*\\system32\\cmd.exe", #"C:\Windows\SYSTEM32\CMD.EXE"#))
        XCTAssertFalse(matches("authentication", "AUTHENTICATION", cased: true))
        XCTAssertTrue(matches("Failure*", "Failure: bad password", cased: true))
    }

    func testGlobPatterns() {
        let arena = MatcherArena()
        func glob(_ pattern: String, _ text: String, cased: Bool = false) -> Bool {
            let p = StringPattern(SigmaString(parsing: pattern), caseSensitive: cased, arena: arena)
            return bytes(text) { p.matches($0) }
        }
        XCTAssertEqual(StringPattern(SigmaString(parsing: "*a*b*"), caseSensitive: false, arena: arena).shape, .glob)
        XCTAssertEqual(StringPattern(SigmaString(parsing: "**x**"), caseSensitive: false, arena: arena).shape, .contains)
        XCTAssertEqual(StringPattern(SigmaString(parsing: "*"), caseSensitive: false, arena: arena).shape, .anything)
        XCTAssertTrue(glob("*a*b*", "xxAyyaBzz"))
        XCTAssertFalse(glob("*a*b", "ab c"))
        XCTAssertTrue(glob("a*a*a", "aaaaa"))
        XCTAssertFalse(glob("a*a*a", "aa"))
        XCTAssertTrue(glob("*", ""))
        XCTAssertTrue(glob("h?llo*", "h\u{e9}llo world"))
        XCTAssertFalse(glob("h??llo", "h\u{e9}llo"), "? takes the whole two-byte character")
        XCTAssertFalse(glob("A*Z", "a-z", cased: true))
        XCTAssertTrue(glob("\u{c9}t\u{e9}", "\u{c9}t\u{e9}"))
        XCTAssertFalse(glob("\u{e9}t\u{e9}", "\u{c9}t\u{e9}"), "non-ASCII letters are compared exactly")
    }

    func testDurations() {
        XCTAssertEqual(SigmaDuration.milliseconds("30s"), 30_000)
        XCTAssertEqual(SigmaDuration.milliseconds("90m"), 5_400_000)
        XCTAssertEqual(SigmaDuration.milliseconds("1d"), 86_400_000)
        for bad in ["", "s", "5", "0s", "-5m", "5 m", "1w", "1.5h", "5ms"] {
            XCTAssertNil(SigmaDuration.milliseconds(bad), bad)
        }
    }
}

/// Exact, prefix and suffix patterns (compared a word at a time, the last
/// word overlapping) against a byte-by-byte reference: literals of every
/// length 1-24, with and without case folding, on texts that equal them,
/// differ in one byte at each position (case flips included), or are
/// longer or shorter.
final class StringPatternWordCompareTests: XCTestCase {
    func testWordCompareIsTheByteCompare() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("aZz09-_.:/\\ @Ab".utf8) + [0xC3, 0xA9, 0x80, 0xFF, 0x40, 0x5B, 0x60, 0x7B]
        let arena = MatcherArena()
        func fold(_ b: UInt8, _ cased: Bool) -> UInt8 { cased ? b : StringPattern.lower(b) }
        func reference(_ literal: [UInt8], _ text: [UInt8], at offset: Int, _ cased: Bool) -> Bool {
            guard offset >= 0, offset + literal.count <= text.count else { return false }
            return (0..<literal.count).allSatisfy { fold(literal[$0], cased) == fold(text[offset + $0], cased) }
        }
        var hits = 0
        for _ in 0..<4_000 {
            let literal = (0..<Int.random(in: 1...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let cased = Bool.random(using: &rng)
            var texts = [literal, literal + [0x61], [0x61] + literal, Array(literal.dropLast())]
            for k in literal.indices {
                var t = literal
                t[k] = Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : (t[k] ^ 0x20)
                texts.append(t)
            }
            let exact = StringPattern(SigmaString(literal: literal), caseSensitive: cased, arena: arena)
            let prefix = StringPattern(SigmaString(tokens: literal.map { .byte($0) } + [.anyRun]), caseSensitive: cased, arena: arena)
            let suffix = StringPattern(SigmaString(tokens: [.anyRun] + literal.map { .byte($0) }), caseSensitive: cased, arena: arena)
            XCTAssertEqual(exact.shape, .exact)
            XCTAssertEqual(prefix.shape, .prefix)
            XCTAssertEqual(suffix.shape, .suffix)
            for text in texts {
                text.withUnsafeBytes { t in
                    let e = reference(literal, text, at: 0, cased) && text.count == literal.count
                    XCTAssertEqual(exact.matches(t), e, "\(literal) \(text) cased \(cased)")
                    XCTAssertEqual(prefix.matches(t), reference(literal, text, at: 0, cased))
                    XCTAssertEqual(suffix.matches(t), reference(literal, text, at: text.count - literal.count, cased))
                    if e { hits += 1 }
                }
            }
        }
        XCTAssertGreaterThan(hits, 4_000)
    }
}
