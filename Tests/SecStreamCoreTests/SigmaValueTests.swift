import XCTest
@testable import SecStreamCore

/// Plain values: wildcards and escapes, case, null, numbers, booleans, arrays,
/// escaped JSON strings and field lookup.
final class SigmaValueTests: XCTestCase {
    private func rule(_ body: String) throws -> RuleSet { try RuleTestSupport.detection(body) }
    private func match(_ set: RuleSet, _ json: String) -> Bool { RuleTestSupport.matches(set, json) }

    func testWildcards() throws {
        let set = try rule("  sel:\n    file: 'prog?.exe'\n  other:\n    file: 'antivirus_V*.exe'\n  condition: sel or other\n")
        XCTAssertTrue(match(set, #"{"file":"progA.exe"}"#))
        XCTAssertTrue(match(set, "{\"file\":\"prog\u{e9}.exe\"}"), "? is one character, even a multi-byte one")
        XCTAssertFalse(match(set, #"{"file":"progAB.exe"}"#))
        XCTAssertFalse(match(set, #"{"file":"prog.exe"}"#))
        XCTAssertTrue(match(set, #"{"file":"ANTIVIRUS_V21.2.1.EXE"}"#))
        XCTAssertTrue(match(set, #"{"file":"antivirus_V.exe"}"#))
        XCTAssertFalse(match(set, #"{"file":"antivirus_V1.exe.tmp"}"#))
        let middle = try rule("  sel:\n    url: '*/wp-*/*.php'\n  condition: sel\n")
        XCTAssertTrue(match(middle, #"{"url":"/blog/wp-admin/x/setup.php"}"#))
        XCTAssertFalse(match(middle, #"{"url":"/blog/wp-admin/setup.phps"}"#))
    }

    func testEscapedWildcardsAndBackslashes() throws {
        // \* and \? are plain characters; \\ is one backslash; a lone \ is literal.
        let star = try rule("  sel:\n    v: 'a\\*b'\n  condition: sel\n")
        XCTAssertTrue(match(star, #"{"v":"a*b"}"#))
        XCTAssertFalse(match(star, #"{"v":"axxb"}"#))
        let question = try rule("  sel:\n    v: 'why\\?'\n  condition: sel\n")
        XCTAssertTrue(match(question, #"{"v":"why?"}"#))
        XCTAssertFalse(match(question, #"{"v":"whyz"}"#))
        let backslashThenWildcard = try rule("  sel:\n    v: 'C:\\\\*'\n  condition: sel\n")
        XCTAssertTrue(match(backslashThenWildcard, #"{"v":"C:\\Windows"}"#))
        XCTAssertFalse(match(backslashThenWildcard, #"{"v":"C:Windows"}"#))
        let literalPath = try rule("  sel:\n    v: 'C:\\Windows\\System32'\n  condition: sel\n")
        XCTAssertTrue(match(literalPath, #"{"v":"c:\\windows\\system32"}"#))
        let threeBackslashes = try rule("  sel:\n    v: 'x\\\\\\*'\n  condition: sel\n")
        XCTAssertTrue(match(threeBackslashes, #"{"v":"x\\*"}"#))
        XCTAssertFalse(match(threeBackslashes, #"{"v":"x\\yz"}"#))
    }

    func testEscapedJSONStringsAreUnescapedBeforeMatching() throws {
        let set = try rule("  sel:\n    msg: 'say \"hi\"\ttab é'\n  condition: sel\n")
        XCTAssertTrue(match(set, #"{"msg":"say \"hi\"\ttab \u00e9"}"#))
        XCTAssertFalse(match(set, #"{"msg":"say \"hi\" tab \u00e9"}"#))
        let emoji = try rule("  sel:\n    msg|endswith: '😀'\n  condition: sel\n")
        XCTAssertTrue(match(emoji, #"{"msg":"smile \ud83d\ude00"}"#), "surrogate pairs become one UTF-8 character")
    }

    func testNullMeansMissingOrNull() throws {
        let set = try rule("  sel:\n    a: x\n  filter:\n    user.name: null\n  condition: sel and not filter\n")
        XCTAssertTrue(match(set, #"{"a":"x","user":{"name":"bob"}}"#))
        XCTAssertFalse(match(set, #"{"a":"x","user":{"name":null}}"#))
        XCTAssertFalse(match(set, #"{"a":"x"}"#))
        let empty = try rule("  sel:\n    user.name: ''\n  condition: sel\n")
        XCTAssertTrue(match(empty, #"{"user.name":""}"#))
        XCTAssertFalse(match(empty, #"{"other":""}"#), "an empty string is not a missing field")
    }

    func testNumbersAndBooleans() throws {
        let set = try rule("  sel:\n    code:\n      - 401\n      - 403\n    tls: true\n  condition: sel\n")
        XCTAssertTrue(match(set, #"{"code":403,"tls":true}"#))
        XCTAssertTrue(match(set, #"{"code":"401","tls":"TRUE"}"#), "numbers and booleans written as strings")
        XCTAssertTrue(match(set, #"{"code":401.0,"tls":true}"#))
        XCTAssertFalse(match(set, #"{"code":404,"tls":true}"#))
        XCTAssertFalse(match(set, #"{"code":401,"tls":false}"#))
        let quoted = try rule("  sel:\n    code: '40*'\n  condition: sel\n")
        XCTAssertTrue(match(quoted, #"{"code":404}"#), "a string pattern reads a number's text")
        let hex = try rule("  sel:\n    opts: 0x17\n  condition: sel\n")
        XCTAssertTrue(match(hex, #"{"opts":"0x17"}"#), "hexadecimal stays text")
    }

    func testArraysMatchWhenAnyElementMatches() throws {
        let set = try rule("  sel:\n    tags|contains: admin\n    ports: 22\n  condition: sel\n")
        XCTAssertTrue(match(set, #"{"tags":["web","sysadmin"],"ports":[80,22,[443]]}"#))
        XCTAssertFalse(match(set, #"{"tags":["web","ops"],"ports":[22]}"#))
        XCTAssertFalse(match(set, #"{"tags":["admin"],"ports":[]}"#))
        let escaped = try rule("  sel:\n    paths: 'C:\\Temp\\x.exe'\n  condition: sel\n")
        XCTAssertTrue(match(escaped, #"{"paths":["a", "C:\\Temp\\x.exe"]}"#))
        let all = try rule("  sel:\n    tags|all:\n      - web\n      - prod\n  condition: sel\n")
        XCTAssertTrue(match(all, #"{"tags":["prod","x","web"]}"#))
        XCTAssertFalse(match(all, #"{"tags":["prod","x"]}"#))
        let ips = try rule("  sel:\n    related.ip|cidr: 10.0.0.0/8\n  condition: sel\n")
        XCTAssertTrue(match(ips, #"{"related":{"ip":["8.8.8.8","10.9.9.9"]}}"#))
    }

    func testNestedFlatAndMixedFieldPaths() throws {
        let set = try rule("  sel:\n    source.geo.country: FR\n  condition: sel\n")
        XCTAssertTrue(match(set, #"{"source":{"geo":{"country":"fr"}}}"#))
        XCTAssertTrue(match(set, #"{"source.geo.country":"FR"}"#))
        XCTAssertTrue(match(set, #"{"source":{"geo.country":"FR"}}"#))
        XCTAssertFalse(match(set, #"{"source":{"geo":"FR"}}"#))
    }

    func testMapIsAndListOfMapsIsOr() throws {
        let and = try rule("  sel:\n    a: 1\n    b: 2\n  condition: sel\n")
        XCTAssertTrue(match(and, #"{"a":1,"b":2}"#))
        XCTAssertFalse(match(and, #"{"a":1,"b":3}"#))
        let or = try rule("  sel:\n    - a: 1\n    - b: 2\n  condition: sel\n")
        XCTAssertTrue(match(or, #"{"a":0,"b":2}"#))
        XCTAssertFalse(match(or, #"{"a":0,"b":3}"#))
    }
}
