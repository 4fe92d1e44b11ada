import XCTest
@testable import SecStreamCore

final class EventJSONValueTests: XCTestCase {
    func unescape(_ s: String) -> String? {
        var out: [UInt8] = [9, 9, 9]  // prior contents must be replaced
        let ok = Array(s.utf8).withUnsafeBytes { JSONString.unescape($0, into: &out) }
        return ok ? String(decoding: out, as: UTF8.self) : nil
    }

    func testUnescapeEveryEscape() {
        XCTAssertEqual(unescape(#"a\"b\\c\/d\be\ff\ng\rh\ti"#), "a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti")
        XCTAssertEqual(unescape(#"\u0041\u00e9\u4E2D"#), "Aé中")
        XCTAssertEqual(unescape(#"x\ud83d\ude00y"#), "x😀y")
        XCTAssertEqual(unescape("plain é"), "plain é")
        XCTAssertEqual(unescape(""), "")
        XCTAssertEqual(unescape(#"\u0000"#), "\u{0}")
    }

    func testUnescapeRejectsInvalidEscapes() {
        for bad in [#"\"#, #"\x"#, #"\u12"#, #"\u12g4"#, #"\ud83d"#, #"\ud83dx"#, #"\ud83d\u0041"#, #"\ude00"#] {
            XCTAssertNil(unescape(bad), bad)
        }
    }

    func testDecodeHelper() {
        XCTAssertEqual(Array(#"a\nb"#.utf8).withUnsafeBytes { JSONString.decode($0, kind: .escapedString) }, "a\nb")
        XCTAssertEqual(Array("ab".utf8).withUnsafeBytes { JSONString.decode($0, kind: .string) }, "ab")
        XCTAssertNil(Array("1".utf8).withUnsafeBytes { JSONString.decode($0, kind: .number) })
    }

    func testParseDouble() {
        let cases = ["0", "-0", "42", "-17", "3.25", "0.1", "1e3", "1E-2", "-2.5e+10", "123456789012345678901234",
                     "0.000001234", "1.7976931348623157e308", "5e-324", "9007199254740993", "3.141592653589793238"]
        for c in cases {
            XCTAssertEqual(JSONNumber.parseDouble(Array(c.utf8)), Double(c), c)
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "+1", "1x", "NaN", "0x1", " 1"] {
            XCTAssertNil(JSONNumber.parseDouble(Array(bad.utf8)), bad)
        }
    }

    func testParseInt64() {
        XCTAssertEqual(JSONNumber.parseInt64(Array("0".utf8)), 0)
        XCTAssertEqual(JSONNumber.parseInt64(Array("-42".utf8)), -42)
        XCTAssertEqual(JSONNumber.parseInt64(Array("9223372036854775807".utf8)), Int64.max)
        XCTAssertEqual(JSONNumber.parseInt64(Array("-9223372036854775808".utf8)), Int64.min)
        for bad in ["9223372036854775808", "-9223372036854775809", "1.0", "1e3", "", "-", "01", "12a"] {
            XCTAssertNil(JSONNumber.parseInt64(Array(bad.utf8)), bad)
        }
    }

    func elements(_ json: String, _ path: String) -> [(ValueKind, String)] {
        let schema = FieldSchema(paths: [path])
        let line = Array(json.utf8)
        var slots = [FieldSlot](repeating: .missing, count: 1)
        return line.withUnsafeBytes { raw in
            XCTAssertEqual(slots.withUnsafeMutableBufferPointer { FieldScanner(schema: schema).scan(raw, into: $0) }, .ok)
            return JSONArrayElements(line: raw, slot: slots[0]).map { ($0.kind, String(decoding: raw[Int($0.start)..<Int($0.end)], as: UTF8.self)) }
        }
    }

    func testArrayElements() {
        let got = elements(#"{"event":{"category":[ "authentication" , "a\"b", 12.5,true,false,null,{"x":"]"},[1,[2]],-3 ]}}"#,
                           "event.category")
        XCTAssertEqual(got.map(\.0), [.string, .escapedString, .number, .trueValue, .falseValue, .null, .object, .array, .number])
        XCTAssertEqual(got.map(\.1), ["authentication", #"a\"b"#, "12.5", "true", "false", "null", #"{"x":"]"}"#, "[1,[2]]", "-3"])
        XCTAssertTrue(elements(#"{"a":[]}"#, "a").isEmpty)
        XCTAssertTrue(elements(#"{"a":[ ]}"#, "a").isEmpty)
        XCTAssertTrue(elements(#"{"a":"not an array"}"#, "a").isEmpty)
        XCTAssertTrue(elements(#"{"b":1}"#, "a").isEmpty)
        XCTAssertEqual(elements(#"{"a":["x"]}"#, "a").map(\.1), ["x"])
    }
}
