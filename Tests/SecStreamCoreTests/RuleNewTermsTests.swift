import XCTest
@testable import SecStreamCore

/// `secstream: {new_terms: ...}` as the rule loader reads it: the resolved
/// rule, its defaults, and every mistake named by file and line.
final class RuleNewTermsTests: XCTestCase {
    private let login = """
    title: Successful login
    id: 22222222-0000-0000-0000-000000000001
    name: successful_login
    detection:
      sel:
        event.category: authentication
        event.outcome: success
      condition: sel
    ---

    """

    /// A new_terms correlation (line 10 is `title:`, line 12 `type:`, line 17 `secstream:`).
    private func correlation(type: String = "event_count", rules: String = "[successful_login]",
                             condition: String = "{gte: 1}", secstream: String) -> String {
        login + """
        title: Login from a source address never seen for this user
        correlation:
          type: \(type)
          rules: \(rules)
          group-by: [user.name]
          timespan: 1h
          condition: \(condition)
        secstream:
        \(secstream)

        """
    }

    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        RuleTestSupport.loadError([("nt.yml", text)], file: file, line: line).map { "\($0)" }
    }

    func testTheTermFieldsFollowTheGroupByAndTheWarmUpDefaultsToTheHistory() throws {
        let set = try RuleTestSupport.load([("nt.yml", correlation(secstream: "  new_terms: {fields: [source.ip, user_agent.original], history: 30d}"))])
        let c = try XCTUnwrap(set.correlations.first)
        XCTAssertEqual(c.groupBy, ["user.name", "source.ip", "user_agent.original"])
        XCTAssertEqual(c.inputs[0].groupFields.count, 3, "each event's key holds the group and the term")
        XCTAssertEqual(c.newTerms, NewTermsSpec(fields: ["source.ip", "user_agent.original"], historyMs: 30 * 86_400_000,
                                                warmupMs: 30 * 86_400_000, maxTermsPerGroup: 1024, groupFieldCount: 1))
        let set2 = try RuleTestSupport.load([("nt.yml", correlation(secstream: "  new_terms:\n    fields: source.ip\n    history: 7d\n    warmup: 1d\n    max_terms: 64"))])
        XCTAssertEqual(set2.correlations[0].newTerms?.warmupMs, 86_400_000)
        XCTAssertEqual(set2.correlations[0].newTerms?.maxTermsPerGroup, 64)
        let set3 = try RuleTestSupport.load([("nt.yml", correlation(secstream: "  new_terms: {fields: [source.ip], history: 7d, warmup: 0}"))])
        XCTAssertEqual(set3.correlations[0].newTerms?.warmupMs, 0)
        XCTAssertEqual(set3.correlations[0].newTerms?.newGroups, .alert)
        let set4 = try RuleTestSupport.load([("nt.yml", correlation(secstream: "  new_terms: {fields: [source.ip], history: 7d, new_groups: learn}"))])
        XCTAssertEqual(set4.correlations[0].newTerms?.newGroups, .learn)
    }

    func testMistakesNameTheRuleFileAndLine() {
        func nt(_ body: String) -> String { correlation(secstream: "  new_terms: " + body) }
        XCTAssertEqual(error(nt("{fields: [source.ip], history: 30d, horizon: 2d}")),
                       "nt.yml:18: unknown new_terms option 'horizon' (expected fields, history, warmup, max_terms or new_groups)")
        XCTAssertEqual(error(nt("{fields: [source.ip], history: 30d, new_groups: ignore}")),
                       "nt.yml:18: unknown new_groups 'ignore' (expected alert or learn)")
        XCTAssertEqual(error(nt("{history: 30d}")), "nt.yml:18: new_terms needs 'fields'")
        XCTAssertEqual(error(nt("{fields: [], history: 30d}")), "nt.yml:18: new_terms 'fields' is empty")
        XCTAssertEqual(error(nt("{fields: [source.ip, source.ip], history: 30d}")),
                       "nt.yml:18: new_terms field 'source.ip' is listed twice")
        XCTAssertEqual(error(nt("{fields: [user.name], history: 30d}")),
                       "nt.yml:18: new_terms field 'user.name' is also in group-by")
        XCTAssertEqual(error(nt("{fields: [source.ip]}")), "nt.yml:18: new_terms needs 'history'")
        XCTAssertEqual(error(nt("{fields: [source.ip], history: 30 days}")),
                       "nt.yml:18: bad duration '30 days' in new_terms 'history' (expected a number and s, m, h or d, e.g. 30d)")
        XCTAssertEqual(error(nt("{fields: [source.ip], history: 0}")),
                       "nt.yml:18: bad duration '0' in new_terms 'history' (expected a number and s, m, h or d, e.g. 30d)")
        XCTAssertEqual(error(nt("{fields: [source.ip], history: 30d, warmup: -1d}")),
                       "nt.yml:18: bad duration '-1d' in new_terms 'warmup' (expected a number and s, m, h or d, e.g. 30d, or 0)")
        XCTAssertEqual(error(nt("{fields: [source.ip], history: 30d, max_terms: 0}")),
                       "nt.yml:18: 'max_terms' needs a whole number from 1 to 16777216")
        XCTAssertEqual(error(nt("[source.ip]")), "nt.yml:18: 'new_terms' must be a map")
        XCTAssertEqual(error(correlation(secstream: "  new_term: {fields: [source.ip], history: 30d}")),
                       "nt.yml:18: unknown secstream option 'new_term'")
    }

    func testNewTermsOnlyFiltersASlidingEventCountThatFiresOnEachEvent() {
        let spec = "  new_terms: {fields: [source.ip], history: 30d}"
        XCTAssertEqual(error(correlation(type: "value_count", condition: "{gte: 1, field: source.port}", secstream: spec)),
                       "nt.yml:18: new_terms applies only to event_count correlations (not value_count)")
        XCTAssertEqual(error(String(login.dropLast(5)) + "\nsecstream:\n" + spec + "\n"),
                       "nt.yml:10: new_terms applies only to event_count correlations (not a detection rule)")
        XCTAssertEqual(error(correlation(condition: "{gte: 2}", secstream: spec)),
                       "nt.yml:16: a new_terms correlation fires once per new term: its condition must be {gte: 1}")
        XCTAssertEqual(error(correlation(secstream: "  window: tumbling\n" + spec)),
                       "nt.yml:19: new_terms runs on sliding windows only (not tumbling)")
        let chained = correlation(secstream: "  new_terms: {fields: [source.ip], history: 30d}") + """
        ---
        title: inner
        name: inner
        correlation:
          type: event_count
          rules: [successful_login]
          group-by: [user.name]
          timespan: 1h
          condition: {gte: 3}

        """
        let viaCorrelation = chained.replacingOccurrences(of: "rules: [successful_login]\n  group-by: [user.name]\n  timespan: 1h\n  condition: {gte: 1}",
                                                          with: "rules: [inner]\n  group-by: [user.name]\n  timespan: 1h\n  condition: {gte: 1}")
        XCTAssertNotEqual(viaCorrelation, chained)
        XCTAssertEqual(error(viaCorrelation), "nt.yml:13: new_terms reads its terms from event fields, but 'inner' is a correlation")
    }

    /// Another correlation may count a new_terms rule's firings by the group
    /// or by the term (both are in its `groupBy`).
    func testACorrelationMayCountNewTerms() throws {
        let text = correlation(secstream: "  new_terms: {fields: [source.ip], history: 30d}").replacingOccurrences(
            of: "title: Login from", with: "name: new_source\ntitle: Login from") + """
        ---
        title: Many new addresses for one user
        correlation:
          type: event_count
          rules: [new_source]
          group-by: [user.name]
          timespan: 1h
          condition: {gte: 3}

        """
        let set = try RuleTestSupport.load([("nt.yml", text)])
        XCTAssertEqual(set.correlations.count, 2)
        XCTAssertEqual(set.correlations[1].inputs[0].groupIndexes, [0])
    }
}
