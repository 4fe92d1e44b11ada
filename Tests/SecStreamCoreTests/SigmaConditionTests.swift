import XCTest
@testable import SecStreamCore

/// Condition forms and keyword search.
final class SigmaConditionTests: XCTestCase {
    private func match(_ set: RuleSet, _ json: String) -> Bool { RuleTestSupport.matches(set, json) }

    private func rule(condition: String) throws -> RuleSet {
        try RuleTestSupport.detection("""
          sel_a:
            a: 1
          sel_b:
            b: 1
          filter_c:
            c: 1
          _private:
            d: 1
          condition: \(condition)

        """)
    }

    func testAndOrNotAndPrecedence() throws {
        // `or` binds loosest: a or (b and not c).
        let set = try rule(condition: "sel_a or sel_b and not filter_c")
        XCTAssertTrue(match(set, #"{"a":1,"c":1}"#))
        XCTAssertTrue(match(set, #"{"b":1}"#))
        XCTAssertFalse(match(set, #"{"b":1,"c":1}"#))
        XCTAssertFalse(match(set, #"{"c":1}"#))
    }

    func testParentheses() throws {
        let set = try rule(condition: "(sel_a or sel_b) and not filter_c")
        XCTAssertFalse(match(set, #"{"a":1,"c":1}"#))
        XCTAssertTrue(match(set, #"{"a":1}"#))
        let nested = try rule(condition: "not (sel_a and (sel_b or filter_c))")
        XCTAssertTrue(match(nested, #"{"a":1}"#))
        XCTAssertFalse(match(nested, #"{"a":1,"c":1}"#))
        let doubleNot = try rule(condition: "not not sel_a")
        XCTAssertTrue(match(doubleNot, #"{"a":1}"#))
    }

    func testOneOfAndAllOfPatterns() throws {
        let one = try rule(condition: "1 of sel_*")
        XCTAssertTrue(match(one, #"{"b":1}"#))
        XCTAssertFalse(match(one, #"{"c":1}"#))
        let all = try rule(condition: "all of sel_* and not 1 of filter*")
        XCTAssertTrue(match(all, #"{"a":1,"b":1}"#))
        XCTAssertFalse(match(all, #"{"a":1}"#))
        XCTAssertFalse(match(all, #"{"a":1,"b":1,"c":1}"#))
        let any = try rule(condition: "any of sel_*")
        XCTAssertTrue(match(any, #"{"a":1}"#))
    }

    func testThemLeavesOutUnderscoreSelections() throws {
        let one = try rule(condition: "1 of them")
        XCTAssertTrue(match(one, #"{"c":1}"#))
        XCTAssertFalse(match(one, #"{"d":1}"#), "_private is not part of 'them'")
        let all = try rule(condition: "all of them")
        XCTAssertTrue(match(all, #"{"a":1,"b":1,"c":1}"#))
        XCTAssertFalse(match(all, #"{"a":1,"b":1}"#))
    }

    func testConditionListIsOr() throws {
        let set = try RuleTestSupport.detection("  a:\n    x: 1\n  b:\n    y: 1\n  condition:\n    - a\n    - b\n")
        XCTAssertTrue(match(set, #"{"y":1}"#))
        XCTAssertFalse(match(set, #"{"z":1}"#))
    }

    func testKeywordsMatchAnywhereInTheLineCaseInsensitively() throws {
        let set = try RuleTestSupport.detection("  keywords:\n    - 'event::clear'\n    - 'MIMIKATZ'\n  condition: keywords\n")
        XCTAssertTrue(match(set, #"{"message":"ran Event::Clear now"}"#))
        XCTAssertTrue(match(set, #"{"process":{"name":"mimikatz.exe"}}"#))
        XCTAssertFalse(match(set, #"{"message":"event clear"}"#))
    }

    func testKeywordsWithWildcardsBackslashesAndAll() throws {
        let wild = try RuleTestSupport.detection("  keywords:\n    - 'failed password for * from'\n  condition: keywords\n")
        XCTAssertTrue(match(wild, #"{"message":"Failed password for root from 1.2.3.4"}"#))
        XCTAssertFalse(match(wild, #"{"message":"Failed password for root"}"#))
        let path = try RuleTestSupport.detection("  keywords: 'C:\\Temp\\evil'\n  condition: keywords\n")
        XCTAssertTrue(match(path, #"{"file":"c:\\temp\\EVIL.exe"}"#), "keywords match JSON-escaped text in the line")
        let all = try RuleTestSupport.detection("""
          keywords_cmdlet:
            '|all':
              - 'OabVirtualDirectory'
              - ' -ExternalUrl '
          condition: keywords_cmdlet

        """)
        XCTAssertTrue(match(all, #"{"cmd":"Set-OabVirtualDirectory -ExternalUrl http://x"}"#))
        XCTAssertFalse(match(all, #"{"cmd":"Set-OabVirtualDirectory -InternalUrl http://x"}"#))
    }

    func testKeywordsCombineWithFieldSelections() throws {
        let set = try RuleTestSupport.detection("""
          sel:
            event.dataset: auth
          keywords:
            - 'invalid user'
          condition: sel and keywords

        """)
        XCTAssertTrue(match(set, #"{"event":{"dataset":"auth"},"message":"Invalid user admin"}"#))
        XCTAssertFalse(match(set, #"{"event":{"dataset":"web"},"message":"Invalid user admin"}"#))
    }
}
