import XCTest
@testable import SecStreamCore

/// Loads rule texts for tests and evaluates detections on JSON lines.
enum RuleTestSupport {
    static func load(_ texts: [(String, String)], fieldMap: FieldMap = FieldMap(),
                     timeField: String = "@timestamp") throws -> RuleSet {
        // Strict: a rule secstream cannot run is an error here, so tests see its message.
        try RuleLoader(timeField: timeField, fieldMap: fieldMap, strict: true)
            .load(sources: texts.map { RuleSource(name: $0.0, text: $0.1) })
    }

    /// One detection rule built from a `detection:` body (indented YAML lines).
    static func detection(_ body: String, fieldMap: FieldMap = FieldMap()) throws -> RuleSet {
        let text = "title: test\nid: test-rule\ndetection:\n" + body
        return try load([("test.yml", text)], fieldMap: fieldMap)
    }

    /// Whether the set's first detection matches `json`.
    static func matches(_ set: RuleSet, _ json: String) -> Bool {
        let event = JSONTestEvent(json, schema: set.schema)
        return withExtendedLifetime(event) { set.detections[0].matcher.matches(event.view) }
    }

    /// The error a load throws, or a test failure.
    static func loadError(_ texts: [(String, String)], fieldMap: FieldMap = FieldMap(),
                          file: StaticString = #filePath, line: UInt = #line) -> RuleError? {
        do {
            _ = try load(texts, fieldMap: fieldMap)
            XCTFail("expected a RuleError", file: file, line: line)
            return nil
        } catch let e as RuleError {
            return e
        } catch {
            XCTFail("expected a RuleError, got \(error)", file: file, line: line)
            return nil
        }
    }
}
