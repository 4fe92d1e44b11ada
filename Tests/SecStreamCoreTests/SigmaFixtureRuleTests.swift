import XCTest
@testable import SecStreamCore

/// The realistic rule files under fixtures/rules load and detect what they describe.
final class SigmaFixtureRuleTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/rules")

    func testECSRulesLoadInDependencyOrder() throws {
        let set = try RuleLoader().load(paths: [fixtures.appendingPathComponent("ecs").path])
        XCTAssertEqual(set.detections.map { $0.meta.name ?? "" },
                       ["ssh_login_failure", "ssh_login_success", "dns_long_label", "web_error_response"])
        XCTAssertEqual(set.correlations.map(\.meta.title),
                       ["SSH brute force", "Brute force followed by a successful login", "DNS tunnelling", "Web path scan"])
        XCTAssertTrue(set.detections.allSatisfy { !$0.emitsAlerts }, "every detection only feeds a correlation")
        XCTAssertEqual(set.correlations.map(\.emitsAlerts), [false, true, true, true])
        XCTAssertEqual(set.correlations[3].window, .tumbling)

        func detect(_ name: String, _ json: String) -> Bool {
            let rule = set.detections.first { $0.meta.name == name }!
            let event = JSONTestEvent(json, schema: set.schema)
            return withExtendedLifetime(event) { rule.matcher.matches(event.view) }
        }
        XCTAssertTrue(detect("ssh_login_failure", #"{"event":{"category":"authentication","outcome":"failure"},"user":{"name":"root"}}"#))
        XCTAssertFalse(detect("ssh_login_failure", #"{"event":{"category":"authentication","outcome":"failure"},"user":{"name":"svc_backup"}}"#))
        XCTAssertTrue(detect("web_error_response", #"{"http":{"response":{"status_code":404}},"url":{"path":"/a"}}"#))
        XCTAssertTrue(detect("web_error_response", #"{"http":{"response":{"status_code":200}},"url":{"path":"/x/.git/config"}}"#))
        XCTAssertTrue(detect("web_error_response", #"{"http":{"response":{"status_code":200}},"user_agent":{"original":"Mozilla/5.00 (Nikto/2.1.6)"}}"#))
        XCTAssertFalse(detect("web_error_response", #"{"http":{"response":{"status_code":200}},"url":{"path":"/index.html"}}"#))
        XCTAssertTrue(detect("dns_long_label", #"{"dns":{"question":{"name":"aGVsbG8gd29ybGQgdGhpcyBpcyBleGZpbA.t.evil.com"}}}"#))
        XCTAssertFalse(detect("dns_long_label", #"{"dns":{"question":{"name":"www.example.com"}}}"#))
        XCTAssertFalse(detect("dns_long_label", #"{"dns":{"question":{"name":"e1234567890abcdefghijklmnopqrstuv.akamaiedge.net"}}}"#))
    }

    func testZeekRuleRunsOnECSThroughTheFieldMap() throws {
        let map = try FieldMap.load(path: fixtures.appendingPathComponent("zeek-field-map.yml").path)
        let set = try RuleLoader(fieldMap: map).load(paths: [fixtures.appendingPathComponent("zeek").path])
        let scan = set.correlations[0]
        XCTAssertEqual(scan.groupBy, ["id.orig_h", "id.resp_h"])
        XCTAssertEqual(scan.inputs[0].groupFields.map { $0.candidates.map { set.schema.paths[$0] } },
                       [["source.ip"], ["destination.ip"]])
        XCTAssertEqual(scan.inputs[0].valueField.map { $0.candidates.map { set.schema.paths[$0] } }, ["destination.port"])
        let ecs = #"{"source":{"ip":"10.0.0.5"},"destination":{"ip":"10.0.0.9","port":445},"network":{"transport":"tcp"},"zeek":{"connection":{"state":"REJ"}}}"#
        XCTAssertTrue(RuleTestSupport.matches(set, ecs))
        let external = ecs.replacingOccurrences(of: "10.0.0.5", with: "8.8.8.8")
        XCTAssertFalse(RuleTestSupport.matches(set, external))
        let established = ecs.replacingOccurrences(of: "REJ", with: "SF")
        XCTAssertFalse(RuleTestSupport.matches(set, established))
    }
}
