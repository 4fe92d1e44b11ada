import XCTest
@testable import SecStreamCore

/// `--field-map`: Sigma fields to event fields, first present candidate wins.
final class SigmaFieldMapTests: XCTestCase {
    private let zeekRule = """
    title: Zeek connection to SSH
    id: zeek-ssh
    detection:
      sel:
        id.orig_h|cidr: 10.0.0.0/8
        id.resp_p: 22
      condition: sel

    """

    func testSingleFieldAndCandidateList() throws {
        let map = try FieldMap.parse("id.orig_h: source.ip\nid.resp_p:\n  - destination.port\n  - server.port\n", name: "map.yml")
        XCTAssertEqual(map.eventFields(for: "id.orig_h"), ["source.ip"])
        XCTAssertEqual(map.eventFields(for: "id.resp_p"), ["destination.port", "server.port"])
        XCTAssertEqual(map.eventFields(for: "user.name"), ["user.name"], "unmapped fields are used as written")

        let set = try RuleTestSupport.load([("zeek.yml", zeekRule)], fieldMap: map)
        XCTAssertNil(set.schema.id(of: "id.orig_h"), "the Sigma name is not extracted, the event field is")
        XCTAssertNotNil(set.schema.id(of: "server.port"))
        XCTAssertTrue(RuleTestSupport.matches(set, #"{"source":{"ip":"10.1.1.1"},"destination":{"port":22}}"#))
        XCTAssertTrue(RuleTestSupport.matches(set, #"{"source":{"ip":"10.1.1.1"},"server":{"port":22}}"#))
        XCTAssertFalse(RuleTestSupport.matches(set, #"{"source":{"ip":"10.1.1.1"},"destination":{"port":23},"server":{"port":22}}"#),
                       "the first present candidate is the value")
        XCTAssertFalse(RuleTestSupport.matches(set, #"{"id.orig_h":"10.1.1.1","id.resp_p":22}"#))
    }

    func testFieldmappingsKeyAndLoadFromFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sigma-fieldmap-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("map.yml").path
        try "fieldmappings:\n  id.orig_h: source.ip\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try FieldMap.load(path: path).eventFields(for: "id.orig_h"), ["source.ip"])
    }

    func testFieldMapErrorsNameFileAndLine() {
        XCTAssertThrowsError(try FieldMap.parse("a: b\nc: {x: 1}\n", name: "map.yml")) { error in
            XCTAssertEqual("\(error)", "map.yml:2: field map entry 'c' must be a value or a list of values")
        }
        XCTAssertThrowsError(try FieldMap.parse("a: []\n", name: "map.yml")) { error in
            XCTAssertEqual("\(error)", "map.yml:1: field map entry 'a' has no event field")
        }
        XCTAssertThrowsError(try FieldMap.load(path: "/nonexistent/map.yml")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/map.yml: cannot read field map")
        }
    }

    func testGroupByAndValueFieldsGoThroughTheMap() throws {
        let map = FieldMap(["src": ["source.ip", "client.ip"], "user": ["user.name"]])
        let set = try RuleTestSupport.load([("c.yml", """
        title: fail
        name: fail
        detection:
          sel:
            event.outcome: failure
          condition: sel
        ---
        title: spray
        correlation:
          type: value_count
          rules: [fail]
          group-by: [src]
          timespan: 5m
          condition:
            field: user
            gte: 10

        """)], fieldMap: map)
        let input = set.correlations[0].inputs[0]
        XCTAssertEqual(input.groupFields, [FieldRef([set.schema.id(of: "source.ip")!, set.schema.id(of: "client.ip")!])])
        XCTAssertEqual(input.valueField, FieldRef([set.schema.id(of: "user.name")!]))
        XCTAssertEqual(set.correlations[0].groupBy, ["src"], "alert group keys keep the rule's names")
    }
}
