import XCTest
@testable import SecStreamCore

/// Scans `json` for `paths`; returns the result and, per path, the slot's kind and raw text.
func scanFields(_ json: String, _ paths: [String]) -> (ScanResult, [String: (kind: ValueKind, raw: String)]) {
    let schema = FieldSchema(paths: paths)
    let scanner = FieldScanner(schema: schema)
    return scanFields(Array(json.utf8), scanner, schema)
}

func scanFields(_ bytes: [UInt8], _ scanner: FieldScanner, _ schema: FieldSchema)
    -> (ScanResult, [String: (kind: ValueKind, raw: String)]) {
    var slots = [FieldSlot](repeating: FieldSlot(start: 9, end: 9, kind: .null), count: schema.count)
    return bytes.withUnsafeBytes { line in
        let result = slots.withUnsafeMutableBufferPointer { scanner.scan(line, into: $0) }
        var found: [String: (kind: ValueKind, raw: String)] = [:]
        for (id, path) in schema.paths.enumerated() where slots[id].kind != .missing {
            let s = slots[id]
            found[path] = (s.kind, String(decoding: line[Int(s.start)..<Int(s.end)], as: UTF8.self))
        }
        return (result, found)
    }
}

final class EventFieldScannerTests: XCTestCase {
    func testNestedFlatAndMixedPaths() {
        let paths = ["source.ip", "source.geo.city", "event.outcome", "user.name", "@timestamp"]
        let docs = [
            #"{"@timestamp":"T","source":{"ip":"10.0.0.1","geo":{"city":"Oslo"}},"event":{"outcome":"failure"},"user":{"name":"bob"}}"#,
            #"{"@timestamp":"T","source.ip":"10.0.0.1","source.geo.city":"Oslo","event.outcome":"failure","user.name":"bob"}"#,
            #"{"@timestamp":"T","source":{"ip":"10.0.0.1","geo.city":"Oslo"},"event.outcome":"failure","user":{"name":"bob"}}"#,
            #"{"source.geo":{"city":"Oslo"},"source":{"ip":"10.0.0.1"},"@timestamp":"T","event":{"outcome":"failure"},"user.name":"bob"}"#,
        ]
        for doc in docs {
            let (result, found) = scanFields(doc, paths)
            XCTAssertEqual(result, .ok, doc)
            XCTAssertEqual(found["source.ip"]?.raw, "10.0.0.1", doc)
            XCTAssertEqual(found["source.geo.city"]?.raw, "Oslo", doc)
            XCTAssertEqual(found["event.outcome"]?.raw, "failure", doc)
            XCTAssertEqual(found["user.name"]?.raw, "bob", doc)
            XCTAssertEqual(found["@timestamp"]?.raw, "T", doc)
            XCTAssertEqual(found["source.ip"]?.kind, .string)
        }
    }

    /// A `*` segment is any one key: UserData's element is named after the event.
    func testWildcardSegmentMatchesAnyOneKey() {
        let paths = ["Event.UserData.*.Address", "Event.UserData.*.User", "Event.EventData.User", "a.*"]
        let long = String(repeating: "LongElementNameOverSixteen", count: 2)
        let docs: [(String, String?, String?)] = [
            (#"{"Event":{"UserData":{"EventXML":{"User":"CORP\\alice","Address":"::%16777216"}}}}"#, "::%16777216", #"CORP\\alice"#),
            // A key over 16 bytes (the trie walk), and one with an escape (the slow path).
            (#"{"Event":{"UserData":{"\#(long)":{"Address":"10.0.0.1"}}}}"#, "10.0.0.1", nil),
            (#"{"Event":{"UserData":{"Event\u0058ML":{"Address":"10.0.0.2"}}}}"#, "10.0.0.2", nil),
            // Not under UserData, or one level too deep: not found.
            (#"{"Event":{"EventData":{"Address":"x"},"UserData":{"E":{"F":{"Address":"y"}}}}}"#, nil, nil),
        ]
        for (doc, address, user) in docs {
            let (result, found) = scanFields(doc, paths)
            XCTAssertEqual(result, .ok, doc)
            XCTAssertEqual(found["Event.UserData.*.Address"]?.raw, address, doc)
            XCTAssertEqual(found["Event.UserData.*.User"]?.raw, user, doc)
            XCTAssertNil(found["Event.EventData.User"], doc)
        }
        // A literal path at the same level comes first; a trailing `*` takes any key's value.
        let (_, found) = scanFields(#"{"Event":{"EventData":{"User":"bob"}},"a":{"k":[1]}}"#, paths)
        XCTAssertEqual(found["Event.EventData.User"]?.raw, "bob")
        XCTAssertEqual(found["a.*"]?.raw, "[1]")
        XCTAssertNil(found["Event.UserData.*.User"])
    }

    /// Keys past 16 bytes (hashed with their tail) and past `maxKeyLength`
    /// (the trie walk), nested, flat and mixed; a key that differs from a
    /// wanted one only in its last byte, or only in length, is not found.
    func testLongKeysNestedFlatAndNearMisses() {
        let k17 = "ParentCommandLine"                                  // 17
        let k24 = "SubjectDomainNameAndMore"                           // 24
        let k25 = "SubjectDomainNameAndMore1"                          // 25
        let k64 = String(repeating: "abcdefgh", count: 8)              // 64
        let k65 = k64 + "z"                                            // 65: past the table
        let paths = ["Event.EventData.\(k17)", "Event.EventData.\(k24)", "Event.EventData.\(k25)",
                     "x.\(k64)", "x.\(k65)", "Event.EventData.\(k17).\(k64)"]
        let docs = [
            #"{"Event":{"EventData":{"\#(k17)":"a","\#(k24)":"b","\#(k25)":"c"}},"x":{"\#(k64)":1,"\#(k65)":2}}"#,
            #"{"Event.EventData.\#(k17)":"a","Event.EventData.\#(k24)":"b","Event.EventData.\#(k25)":"c","x.\#(k64)":1,"x.\#(k65)":2}"#,
            #"{"Event":{"EventData.\#(k17)":"a","EventData":{"\#(k24)":"b"}},"Event.EventData":{"\#(k25)":"c"},"x":{"\#(k65)":2,"\#(k64)":1}}"#,
        ]
        for doc in docs {
            let (result, found) = scanFields(doc, paths)
            XCTAssertEqual(result, .ok, doc)
            XCTAssertEqual(found["Event.EventData.\(k17)"]?.raw, "a", doc)
            XCTAssertEqual(found["Event.EventData.\(k24)"]?.raw, "b", doc)
            XCTAssertEqual(found["Event.EventData.\(k25)"]?.raw, "c", doc)
            XCTAssertEqual(found["x.\(k64)"]?.raw, "1", doc)
            XCTAssertEqual(found["x.\(k65)"]?.raw, "2", doc)
        }
        // A long key as an object on the way to a deeper field.
        let deep = #"{"Event":{"EventData":{"\#(k17)":{"\#(k64)":true}}}}"#
        XCTAssertEqual(scanFields(deep, paths).1["Event.EventData.\(k17).\(k64)"]?.raw, "true")
        let misses = [
            #"{"Event":{"EventData":{"ParentCommandLinf":"a","SubjectDomainNameAndMorf":"b","SubjectDomainNameAndMore2":"c"}}}"#,
            #"{"Event":{"EventData":{"ParentCommandLin":"a","SubjectDomainNameAndMor":"b","SubjectDomainNameAndMore12":"c"}}}"#,
            #"{"x":{"\#(String(k64.dropLast()) + "i")":1,"\#(String(k65.dropFirst()))":2}}"#,
        ]
        for doc in misses {
            let (result, found) = scanFields(doc, paths)
            XCTAssertEqual(result, .ok, doc)
            XCTAssertTrue(found.isEmpty, "\(doc): \(found)")
        }
    }

    func testMissingFieldsAndSlotsAreReset() {
        // Slots start out garbage (see scanFields); unfound ones must come back missing.
        let (result, found) = scanFields(#"{"source":{"port":22},"sourceip":"x","source.ipx":"y"}"#,
                                         ["source.ip", "host.name"])
        XCTAssertEqual(result, .ok)
        XCTAssertTrue(found.isEmpty, "\(found)")
    }

    func testValueKindsAndRanges() {
        let paths = ["s", "e", "n", "t", "f", "z", "o", "a", "neg", "exp"]
        let doc = #"{ "s" : "plain" , "e":"a\"b\\c", "n":42.5,"t":true,"f":false,"z":null,"o":{"k":[1,{"x":"}"}]},"a":[1, "two", [3]],"neg":-0.5,"exp":1E+3 }"#
        let (result, found) = scanFields(doc, paths)
        XCTAssertEqual(result, .ok)
        XCTAssertEqual(found["s"]?.kind, .string); XCTAssertEqual(found["s"]?.raw, "plain")
        XCTAssertEqual(found["e"]?.kind, .escapedString); XCTAssertEqual(found["e"]?.raw, #"a\"b\\c"#)
        XCTAssertEqual(found["n"]?.kind, .number); XCTAssertEqual(found["n"]?.raw, "42.5")
        XCTAssertEqual(found["t"]?.kind, .trueValue); XCTAssertEqual(found["t"]?.raw, "true")
        XCTAssertEqual(found["f"]?.kind, .falseValue); XCTAssertEqual(found["f"]?.raw, "false")
        XCTAssertEqual(found["z"]?.kind, .null); XCTAssertEqual(found["z"]?.raw, "null")
        XCTAssertEqual(found["o"]?.kind, .object); XCTAssertEqual(found["o"]?.raw, #"{"k":[1,{"x":"}"}]}"#)
        XCTAssertEqual(found["a"]?.kind, .array); XCTAssertEqual(found["a"]?.raw, #"[1, "two", [3]]"#)
        XCTAssertEqual(found["neg"]?.raw, "-0.5")
        XCTAssertEqual(found["exp"]?.raw, "1E+3")
    }

    func testLastDuplicateWinsAcrossSpellings() {
        let (r1, f1) = scanFields(#"{"a":{"b":1},"a.b":2}"#, ["a.b"])
        XCTAssertEqual(r1, .ok); XCTAssertEqual(f1["a.b"]?.raw, "2")
        let (r2, f2) = scanFields(#"{"a.b":2,"a":{"b":"x"},"a":{"c":3}}"#, ["a.b"])
        XCTAssertEqual(r2, .ok); XCTAssertEqual(f2["a.b"]?.raw, "x")
        let (r3, f3) = scanFields(#"{"a":1,"a":[2],"a":{"z":0}}"#, ["a"])
        XCTAssertEqual(r3, .ok); XCTAssertEqual(f3["a"]?.kind, .object)
    }

    func testFieldThatIsAlsoAPrefixOfAnother() {
        let (result, found) = scanFields(#"{"process":{"name":"sshd","pid":7}}"#, ["process", "process.name"])
        XCTAssertEqual(result, .ok)
        XCTAssertEqual(found["process"]?.raw, #"{"name":"sshd","pid":7}"#)
        XCTAssertEqual(found["process.name"]?.raw, "sshd")
    }

    func testPathsAreNotFollowedIntoArraysOrScalars() {
        let (result, found) = scanFields(#"{"a":[{"b":1}],"c":5,"d":{"e":{"f":1}}}"#, ["a.b", "c.x", "d.f"])
        XCTAssertEqual(result, .ok)
        XCTAssertTrue(found.isEmpty, "\(found)")
    }

    func testEscapedKeysAreMatchedOnTheirUnescapedBytes() {
        let (result, found) = scanFields(#"{"source\u002eip":"1.2.3.4","us\u0065r":{"name":"x"}}"#, ["source.ip", "user.name"])
        XCTAssertEqual(result, .ok)
        XCTAssertEqual(found["source.ip"]?.raw, "1.2.3.4")
        XCTAssertEqual(found["user.name"]?.raw, "x")
    }

    func testUTF8ValuesAndKeysAreAccepted() {
        let (result, found) = scanFields(#"{"clé":"é","user":{"name":"Zoë 😀 中文"}}"#, ["user.name", "clé"])
        XCTAssertEqual(result, .ok)
        XCTAssertEqual(found["user.name"]?.raw, "Zoë 😀 中文")
        XCTAssertEqual(found["clé"]?.raw, "é")
    }

    func testEmptySchemaStillValidates() {
        XCTAssertEqual(scanFields(#"{"a":[1,2,{"b":null}]}"#, []).0, .ok)
        XCTAssertNotEqual(scanFields(#"{"a":[1,2,{"b":nul}]}"#, []).0, .ok)
    }

    // MARK: - Malformed lines

    func assertMalformed(_ bytes: [UInt8], _ reason: MalformedReason, at offset: Int? = nil,
                         file: StaticString = #filePath, line: UInt = #line) {
        let schema = FieldSchema(paths: ["a", "a.b", "x"])
        let (result, _) = scanFields(bytes, FieldScanner(schema: schema), schema)
        guard case .malformed(let r, let o) = result else {
            return XCTFail("\(String(decoding: bytes, as: UTF8.self)) accepted", file: file, line: line)
        }
        XCTAssertEqual(r, reason, String(decoding: bytes, as: UTF8.self), file: file, line: line)
        if let offset { XCTAssertEqual(o, offset, file: file, line: line) }
    }

    func assertMalformed(_ text: String, _ reason: MalformedReason, at offset: Int? = nil,
                         file: StaticString = #filePath, line: UInt = #line) {
        assertMalformed(Array(text.utf8), reason, at: offset, file: file, line: line)
    }

    func testNotAnObject() {
        assertMalformed("", .empty)
        assertMalformed("   ", .empty)
        assertMalformed("[1,2]", .notAnObject, at: 0)
        assertMalformed(#""a""#, .notAnObject)
        assertMalformed("  42", .notAnObject, at: 2)
        assertMalformed("null", .notAnObject)
        assertMalformed("hello", .notAnObject)
    }

    func testTruncatedLines() {
        let full = #"{"a":{"b":[1,"two",true,null]},"x":-1.5e3}"#
        let bytes = Array(full.utf8)
        for cut in 1..<bytes.count {
            let (result, _) = scanFields(String(decoding: bytes[0..<cut], as: UTF8.self), ["a.b", "x"])
            guard case .malformed(let reason, _) = result else { return XCTFail("prefix \(cut) accepted") }
            // Cutting inside a number can leave a valid-looking number that is then
            // not followed by anything: still "unexpected end" (or an invalid number for "-").
            XCTAssertTrue([.unexpectedEnd, .invalidNumber].contains(reason), "cut \(cut): \(reason)")
        }
        assertMalformed(#"{"a":"abc"#, .unexpectedEnd)
        assertMalformed(#"{"a":tru"#, .unexpectedEnd)
        assertMalformed(#"{"a":"\"#, .unexpectedEnd)
    }

    func testInvalidTokens() {
        assertMalformed(#"{"a":1,,"x":2}"#, .expectedKey, at: 7)
        assertMalformed(#"{"a" 1}"#, .expectedColon, at: 5)
        assertMalformed(#"{"a":1 "x":2}"#, .expectedCommaOrClose, at: 7)
        assertMalformed(#"{a:1}"#, .expectedKey, at: 1)
        assertMalformed(#"{"a":[1 2]}"#, .expectedCommaOrClose)
        assertMalformed(#"{"a":[1,]}"#, .invalidToken)
        assertMalformed(#"{"a":1,}"#, .expectedKey)
        assertMalformed(#"{"a":truex}"#, .expectedCommaOrClose, at: 9)
        assertMalformed(#"{"a":truth}"#, .invalidToken, at: 5)
        assertMalformed(#"{"a":nope}"#, .invalidToken, at: 5)
        assertMalformed(#"{"a":'x'}"#, .invalidToken)
        assertMalformed(#"{"a":[1}"#, .expectedCommaOrClose)
        assertMalformed(#"{"a":{"b":1]}"#, .expectedCommaOrClose)
    }

    func testInvalidNumbers() {
        for n in ["01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "--1", "1.e3"] {
            let (result, _) = scanFields(#"{"a":\#(n)}"#, ["a"])
            XCTAssertNotEqual(result, .ok, n)
        }
        assertMalformed(#"{"a":-x}"#, .invalidNumber, at: 5)
    }

    func testTrailingGarbage() {
        assertMalformed(#"{"a":1}x"#, .trailingGarbage, at: 7)
        assertMalformed(#"{"a":1} {"b":2}"#, .trailingGarbage, at: 8)
        assertMalformed(#"{"a":1}}"#, .trailingGarbage)
        XCTAssertEqual(scanFields("{\"a\":1} \t\r", ["a"]).0, .ok)
    }

    func testInvalidUTF8() {
        let prefix = Array(#"{"a":"ok"#.utf8), suffix = Array(#"","x":1}"#.utf8)
        let bad: [[UInt8]] = [[0x80], [0xc0, 0xaf], [0xc3], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80],
                              [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff], [0xe2, 0x82]]
        for seq in bad {
            assertMalformed(prefix + seq + suffix, .invalidUTF8, at: prefix.count)
        }
        // In a key, in a skipped nested value, and past the 8-byte fast path.
        assertMalformed(Array(#"{"k"#.utf8) + [0xfe] + Array(#"":1}"#.utf8), .invalidUTF8)
        assertMalformed(Array(#"{"z":{"y":["abcdefghijklmnop"#.utf8) + [0xc3, 0x28] + Array(#""]}}"#.utf8), .invalidUTF8)
        // Bytes >= 0x80 outside strings are not tokens.
        assertMalformed(Array(#"{"a":"#.utf8) + [0xc3, 0xa9] + [0x7d], .invalidToken)
    }

    func testControlCharactersInStrings() {
        for c: UInt8 in [0x00, 0x01, 0x09, 0x0a, 0x1f] {
            assertMalformed(Array(#"{"a":"abcdefghij"#.utf8) + [c] + Array(#""}"#.utf8), .controlCharacter, at: 16)
        }
        // DEL is allowed; a tab between tokens is whitespace.
        XCTAssertEqual(scanFields("{\"a\":\t\"x\u{7f}\"}", ["a"]).0, .ok)
    }

    func testInvalidEscapes() {
        for e in [#"\x"#, #"\u12"#, #"\u12G4"#, #"\'"#, #"\U0041"#] {
            assertMalformed(#"{"a":"\#(e)"}"#, .invalidEscape, at: 6)
        }
    }

    func testNestingDepthLimit() {
        let ok = String(repeating: #"{"a":"#, count: FieldScanner.maxDepth - 1) + "1" + String(repeating: "}", count: FieldScanner.maxDepth - 1)
        XCTAssertEqual(scanFields("{\"x\":" + ok + "}", ["x"]).0, .ok)
        let deep = "{\"x\":" + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}"
        assertMalformed(deep, .tooDeep)
        assertMalformed(String(repeating: "{\"a\":", count: 10_000), .tooDeep)
    }
}
