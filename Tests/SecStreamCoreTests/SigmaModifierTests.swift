import XCTest
@testable import SecStreamCore

/// Every supported value modifier, on real rule text and JSON lines.
final class SigmaModifierTests: XCTestCase {
    private func rule(_ body: String) throws -> RuleSet { try RuleTestSupport.detection(body) }
    private func match(_ set: RuleSet, _ json: String) -> Bool { RuleTestSupport.matches(set, json) }

    func testContainsStartswithEndswithAreCaseInsensitive() throws {
        let contains = try rule("  sel:\n    url.path|contains: '/ADMIN'\n  condition: sel\n")
        XCTAssertTrue(match(contains, #"{"url":{"path":"/x/admin/login"}}"#))
        XCTAssertFalse(match(contains, #"{"url":{"path":"/x/adm/login"}}"#))
        let starts = try rule("  sel:\n    user.name|startswith: adm\n  condition: sel\n")
        XCTAssertTrue(match(starts, #"{"user.name":"Administrator"}"#))
        XCTAssertFalse(match(starts, #"{"user.name":"sysadm"}"#))
        let ends = try rule("  sel:\n    process.executable|endswith: '\\cmd.exe'\n  condition: sel\n")
        XCTAssertTrue(match(ends, #"{"process":{"executable":"C:\\Windows\\System32\\CMD.EXE"}}"#))
        XCTAssertFalse(match(ends, #"{"process":{"executable":"C:\\Windows\\cmd.exe.bak"}}"#))
    }

    func testCasedMakesComparisonCaseSensitive() throws {
        let set = try rule("  sel:\n    user.name|cased: Root\n  condition: sel\n")
        XCTAssertTrue(match(set, #"{"user":{"name":"Root"}}"#))
        XCTAssertFalse(match(set, #"{"user":{"name":"root"}}"#))
        let plain = try rule("  sel:\n    user.name: Root\n  condition: sel\n")
        XCTAssertTrue(match(plain, #"{"user":{"name":"ROOT"}}"#))
    }

    func testAllRequiresEveryValue() throws {
        let set = try rule("  sel:\n    cmd|contains|all:\n      - '-enc'\n      - 'hidden'\n  condition: sel\n")
        XCTAssertTrue(match(set, #"{"cmd":"powershell -w Hidden -enc AAAA"}"#))
        XCTAssertFalse(match(set, #"{"cmd":"powershell -enc AAAA"}"#))
        let any = try rule("  sel:\n    cmd|contains:\n      - '-enc'\n      - 'hidden'\n  condition: sel\n")
        XCTAssertTrue(match(any, #"{"cmd":"powershell -enc AAAA"}"#))
    }

    func testRegexIsCaseSensitiveUnlessI() throws {
        let set = try rule("  sel:\n    dns.question.name|re: '^[a-z0-9]{20,}\\.evil\\.com$'\n  condition: sel\n")
        XCTAssertTrue(match(set, #"{"dns":{"question":{"name":"abcdefghij0123456789xyz.evil.com"}}}"#))
        XCTAssertFalse(match(set, #"{"dns":{"question":{"name":"ABCDEFGHIJ0123456789XYZ.evil.com"}}}"#))
        XCTAssertFalse(match(set, #"{"dns":{"question":{"name":"short.evil.com"}}}"#))
        let insensitive = try rule("  sel:\n    dns.question.name|re|i: '^[a-z]+\\.EVIL\\.com$'\n  condition: sel\n")
        XCTAssertTrue(match(insensitive, #"{"dns.question.name":"ABC.evil.COM"}"#))
    }

    func testCidrIPv4AndIPv6() throws {
        let set = try rule("""
          sel:
            source.ip|cidr:
              - 10.0.0.0/8
              - 2001:db8::/32
          condition: sel

        """)
        XCTAssertTrue(match(set, #"{"source":{"ip":"10.20.30.40"}}"#))
        XCTAssertFalse(match(set, #"{"source":{"ip":"11.0.0.1"}}"#))
        XCTAssertTrue(match(set, #"{"source":{"ip":"2001:db8:1::5"}}"#))
        XCTAssertTrue(match(set, #"{"source":{"ip":"2001:0DB8:0000:0000:0000:0000:0000:0001"}}"#))
        XCTAssertFalse(match(set, #"{"source":{"ip":"2001:db9::1"}}"#))
        XCTAssertTrue(match(set, #"{"source":{"ip":"::ffff:10.1.2.3"}}"#), "IPv4-mapped IPv6 is the IPv4 address")
        XCTAssertFalse(match(set, #"{"source":{"ip":"not-an-ip"}}"#))
        XCTAssertFalse(match(set, #"{"source":{"ip":"10.0.0.256"}}"#))
        let narrow = try rule("  sel:\n    source.ip|cidr: 192.168.1.128/25\n  condition: sel\n")
        XCTAssertTrue(match(narrow, #"{"source.ip":"192.168.1.200"}"#))
        XCTAssertFalse(match(narrow, #"{"source.ip":"192.168.1.100"}"#))
    }

    func testExistsIgnoresValueEvenNull() throws {
        let present = try rule("  sel:\n    user.name|exists: true\n  condition: sel\n")
        XCTAssertTrue(match(present, #"{"user":{"name":null}}"#))
        XCTAssertTrue(match(present, #"{"user":{"name":""}}"#))
        XCTAssertFalse(match(present, #"{"user":{"id":1}}"#))
        let absent = try rule("  sel:\n    user.name|exists: false\n  condition: sel\n")
        XCTAssertTrue(match(absent, #"{"user":{"id":1}}"#))
        XCTAssertFalse(match(absent, #"{"user":{"name":"x"}}"#))
    }

    func testNumericComparisons() throws {
        let set = try rule("""
          sel:
            destination.bytes|gt: 1000000
            destination.port|lte: 1024
          condition: sel

        """)
        XCTAssertTrue(match(set, #"{"destination":{"bytes":5000000,"port":443}}"#))
        XCTAssertFalse(match(set, #"{"destination":{"bytes":1000000,"port":443}}"#))
        XCTAssertFalse(match(set, #"{"destination":{"bytes":5e6,"port":8080}}"#))
        XCTAssertTrue(match(set, #"{"destination":{"bytes":"2000000","port":"22"}}"#), "numeric strings compare as numbers")
        XCTAssertFalse(match(set, #"{"destination":{"bytes":"lots","port":22}}"#))
        let range = try rule("  sel:\n    v|gte: 1.5\n  low:\n    v|lt: 2\n  condition: sel and low\n")
        XCTAssertTrue(match(range, #"{"v":1.5}"#))
        XCTAssertTrue(match(range, #"{"v":-0.5e1}"#) == false)
        XCTAssertFalse(match(range, #"{"v":2}"#))
    }

    func testNeqMatchesWhenNoValueEquals() throws {
        let set = try rule("  sel:\n    event.outcome|neq:\n      - success\n      - unknown\n  condition: sel\n")
        XCTAssertTrue(match(set, #"{"event":{"outcome":"failure"}}"#))
        XCTAssertFalse(match(set, #"{"event":{"outcome":"SUCCESS"}}"#))
        XCTAssertTrue(match(set, #"{"event":{}}"#), "a missing field differs from every value")
    }

    func testWindashExpandsDashesAtWordStart() throws {
        let set = try rule("  sel:\n    cmd|windash|contains: ' -encodedcommand '\n  condition: sel\n")
        XCTAssertTrue(match(set, #"{"cmd":"powershell -EncodedCommand AAA"}"#))
        XCTAssertTrue(match(set, #"{"cmd":"powershell /EncodedCommand AAA"}"#))
        XCTAssertTrue(match(set, "{\"cmd\":\"powershell \u{2013}encodedcommand AAA\"}"))
        XCTAssertTrue(match(set, "{\"cmd\":\"powershell \u{2015}encodedcommand AAA\"}"))
        XCTAssertFalse(match(set, #"{"cmd":"powershell +encodedcommand AAA"}"#))
    }

    func testBase64AndBase64Offset() throws {
        // "whoami" is d2hvYW1p in Base64.
        let exact = try rule("  sel:\n    payload|base64: whoami\n  condition: sel\n")
        XCTAssertTrue(match(exact, #"{"payload":"d2hvYW1p"}"#))
        XCTAssertFalse(match(exact, #"{"payload":"D2HVYW1P"}"#), "Base64 text is compared case-sensitively")
        let offset = try rule("  sel:\n    payload|base64offset|contains: 'whoami'\n  condition: sel\n")
        for prefix in ["", "x", "xy", "xyz"] {
            let encoded = Data((prefix + "whoami /all").utf8).base64EncodedString()
            XCTAssertTrue(match(offset, "{\"payload\":\"\(encoded)\"}"), "offset \(prefix.count): \(encoded)")
        }
        XCTAssertFalse(match(offset, "{\"payload\":\"\(Data("who am i".utf8).base64EncodedString())\"}"))
    }

    func testUtf16LittleEndianThenBase64() throws {
        // PowerShell -EncodedCommand carries UTF-16LE in Base64.
        let set = try rule("  sel:\n    cmd|wide|base64offset|contains: 'iex'\n  condition: sel\n")
        var utf16 = Data()
        for unit in "$x; IEX(y)".utf16 { utf16.append(UInt8(unit & 0xFF)); utf16.append(UInt8(unit >> 8)) }
        XCTAssertFalse(match(set, "{\"cmd\":\"\(utf16.base64EncodedString())\"}"), "IEX is upper case, the rule's bytes are not")
        var lower = Data()
        for unit in "$x; iex(y)".utf16 { lower.append(UInt8(unit & 0xFF)); lower.append(UInt8(unit >> 8)) }
        XCTAssertTrue(match(set, "{\"cmd\":\"\(lower.base64EncodedString())\"}"))
    }

    /// `utf16le`, `utf16be` and `utf16` (with a byte order mark) each give their
    /// own bytes, checked through Base64, whose text the event carries. The
    /// expected strings are Python's `base64.b64encode("ab".encode(...))`.
    func testUtf16EncodingsEachGiveTheirOwnBytes() throws {
        let le = try rule("  sel:\n    cmd|utf16le|base64: 'ab'\n  condition: sel\n")
        let be = try rule("  sel:\n    cmd|utf16be|base64: 'ab'\n  condition: sel\n")
        let bom = try rule("  sel:\n    cmd|utf16|base64: 'ab'\n  condition: sel\n")
        XCTAssertTrue(match(le, #"{"cmd":"YQBiAA=="}"#))
        XCTAssertFalse(match(le, #"{"cmd":"AGEAYg=="}"#))
        XCTAssertTrue(match(be, #"{"cmd":"AGEAYg=="}"#))
        XCTAssertFalse(match(be, #"{"cmd":"YQBiAA=="}"#))
        XCTAssertTrue(match(bom, #"{"cmd":"//5hAGIA"}"#))
        XCTAssertFalse(match(bom, #"{"cmd":"YQBiAA=="}"#))
    }
}
