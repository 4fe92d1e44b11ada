import XCTest
@testable import SecStreamCore

/// Matchers assembled in code keep their fixed answer.
final class SigmaConstantMatcherTests: XCTestCase {
    func testConstantMatchers() {
        let event = JSONTestEvent(#"{"a":1}"#, schema: FieldSchema(paths: ["a"]))
        withExtendedLifetime(event) {
            XCTAssertFalse(DetectionMatcher().matches(event.view))
            XCTAssertTrue(DetectionMatcher(constant: true).matches(event.view))
        }
    }
}
