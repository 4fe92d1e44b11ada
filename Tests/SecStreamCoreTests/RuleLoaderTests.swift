import XCTest
@testable import SecStreamCore

/// Loading from files, directories and memory; every loader error names
/// `file:line` and the problem.
final class RuleLoaderTests: XCTestCase {
    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        RuleTestSupport.loadError([("r.yml", text)], file: file, line: line).map { "\($0)" } ?? ""
    }

    private let detectionHeader = "title: t\nid: base\nname: base\ndetection:\n  sel:\n    a: 1\n  condition: sel\n"

    // MARK: - Sources

    func testDirectoryIsRecursiveSortedAndMultiDocument() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("sigma-loader-\(getpid())")
        try? fm.removeItem(at: dir)
        try fm.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        try "title: b\nid: b\ndetection:\n  s:\n    x: 1\n  condition: s\n"
            .write(to: dir.appendingPathComponent("b.yml"), atomically: true, encoding: .utf8)
        try "title: a\nid: a\ndetection:\n  s:\n    y: 1\n  condition: s\n---\ntitle: a2\nid: a2\ndetection:\n  s:\n    z: 1\n  condition: s\n"
            .write(to: dir.appendingPathComponent("sub/a.yaml"), atomically: true, encoding: .utf8)
        try "not a rule".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let set = try RuleLoader().load(paths: [dir.path], adding: [RuleSource(name: "builtin.yml",
            text: "title: m\nid: m\ndetection:\n  s:\n    w: 1\n  condition: s\n")])
        XCTAssertEqual(set.detections.map(\.meta.id), ["m", "b", "a", "a2"], "memory first, then b.yml < sub/a.yaml")
        XCTAssertEqual(set.detections[3].meta.location, RuleLocation(file: dir.path + "/sub/a.yaml", line: 8))
        XCTAssertEqual(set.schema.paths, ["@timestamp", "w", "x", "y", "z"])
        let single = try RuleLoader().load(paths: [dir.appendingPathComponent("b.yml").path])
        XCTAssertEqual(single.detections.map(\.meta.id), ["b"])
    }

    func testStemsAndListingOfDirectories() throws {
        XCTAssertEqual(RuleLoader.stem(of: "a/b/rule.yml"), "rule")
        XCTAssertEqual(RuleLoader.stem(of: "rule.v2.yaml"), "rule.v2")
        XCTAssertEqual(RuleLoader.stem(of: "dir/.hidden"), ".hidden")
        XCTAssertEqual(RuleLoader.stem(of: "noext"), "noext")
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("sigma-listing-\(getpid())")
        try? fm.removeItem(at: dir)
        try fm.createDirectory(at: dir.appendingPathComponent("z/deep"), withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        for f in ["b.yml", "a.yaml", "z/deep/c.yml", "z/notes.txt"] {
            try "x: 1\n".write(to: dir.appendingPathComponent(f), atomically: true, encoding: .utf8)
        }
        // A link back to the top: not followed (a cycle cannot loop).
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("z/loop").path, withDestinationPath: dir.path)
        let want = ["a.yaml", "b.yml", "z/deep/c.yml"].map { dir.path + "/" + $0 }
        XCTAssertEqual(RuleFileListing.ruleFiles(under: dir.path), want)
        XCTAssertEqual(RuleFileListing.ruleFiles(under: dir.path + "/"), want, "a trailing slash is not doubled")
        XCTAssertNil(RuleFileListing.ruleFiles(under: dir.path + "/missing"))
    }

    func testMetadataDefaults() throws {
        let set = try RuleTestSupport.load([("rules/my_rule.yml", "detection:\n  s:\n    a: 1\n  condition: s\n")])
        let meta = set.detections[0].meta
        XCTAssertEqual(meta.id, "my_rule", "no id or name: the file name")
        XCTAssertEqual(meta.title, "my_rule")
        XCTAssertEqual(meta.level, "medium")
        XCTAssertEqual(meta.tags, [])
        XCTAssertTrue(set.detections[0].emitsAlerts)
        let named = try RuleTestSupport.load([("x.yml", "name: by_name\ntitle: T\nlevel: low\ndetection:\n  s:\n    a: 1\n  condition: s\n")])
        XCTAssertEqual(named.detections[0].meta.id, "by_name")
        XCTAssertEqual(named.detections[0].meta.name, "by_name")
    }

    func testEmptyDocumentsAreSkipped() throws {
        let set = try RuleTestSupport.load([("r.yml", "---\n" + detectionHeader + "---\n")])
        XCTAssertEqual(set.detections.count, 1)
    }

    // MARK: - Detection errors

    func testUnknownAndUnsupportedModifiers() {
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a|contain: x\n  condition: sel\n"),
                       "r.yml:4: unknown modifier 'contain'")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a|expand: '%x%'\n  condition: sel\n"),
                       "r.yml:4: placeholder '%x%' has no values (give --placeholders FILE or a pipeline's 'vars')")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a|cidr|contains: 10.0.0.0/8\n  condition: sel\n"),
                       "r.yml:4: modifier 'cidr' cannot be combined with 'contains'")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a|i: x\n  condition: sel\n"),
                       "r.yml:4: modifier 'i' applies only to 're'")
    }

    func testBadValuesForModifiers() {
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a|cidr:\n      - 10.0.0.0/8\n      - 10.0.0.0/33\n  condition: sel\n"),
                       "r.yml:6: bad CIDR '10.0.0.0/33'")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a|re: '([a-z]'\n  condition: sel\n"),
                       "r.yml:4: bad regular expression '([a-z]'")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a|exists: yes\n  condition: sel\n"),
                       "r.yml:4: 'exists' takes true or false")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a|gt: many\n  condition: sel\n"),
                       "r.yml:4: 'gt' needs a number, got 'many'")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a|base64: 'x*'\n  condition: sel\n"),
                       "r.yml:4: 'base64' cannot encode wildcards (put 'contains' after it)")
    }

    func testConditionErrorsNameTheToken() {
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  condition: sel and or sel\n"),
                       "r.yml:5: bad condition 'sel and or sel': unexpected 'or'")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  condition: (sel\n"),
                       "r.yml:5: bad condition '(sel': missing ')'")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  condition: sel | count() > 5\n"),
                       "r.yml:5: Sigma v1 aggregations ('| count() ...') are not supported: write a correlation rule")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  condition: sel & x\n"),
                       "r.yml:5: bad condition 'sel & x': unexpected character '&'")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  condition: 1 sel\n"),
                       "r.yml:5: bad condition '1 sel': expected 'of' after '1', found 'sel'")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  condition: sel and\n"),
                       "r.yml:5: bad condition 'sel and': unexpected end of condition")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  condition: 2 of sel*\n"),
                       "r.yml:5: bad condition '2 of sel*': '2 of' is not supported (use '1 of', 'any of' or 'all of')")
    }

    func testConditionNamesUndefinedSelection() {
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  condition: sel and not filter\n"),
                       "r.yml:5: condition names 'filter', which is not a selection of this rule")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  condition: 1 of filter*\n"),
                       "r.yml:5: '1 of filter*' matches no selection")
    }

    func testStructuralDetectionErrors() {
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n"), "r.yml:3: detection has no 'condition'")
        XCTAssertEqual(error("title: t\nlogsource:\n  product: x\n"), "r.yml:1: document has neither 'detection' nor 'correlation'")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    - a: 1\n    - x\n  condition: sel\n"),
                       "r.yml:4: selection 'sel' mixes maps and plain values")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a:\n      b: 1\n  condition: sel\n"),
                       "r.yml:5: 'a' must have a value or a list of values")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  timeframe: 5m\n  condition: sel\n"),
                       "r.yml:5: 'timeframe' is not supported: write a correlation rule with 'timespan'")
    }

    func testInvalidYAMLAndDuplicateKeys() {
        XCTAssertEqual(error("title: t\ndetection:\n  sel: [a\n  condition: sel\n"),
                       "r.yml:4: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)")
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n    a: 2\n  condition: sel\n"), "r.yml:4: duplicate key 'a'")
    }

    func testMissingPath() {
        XCTAssertThrowsError(try RuleLoader().load(paths: ["/nonexistent/rules"])) { e in
            XCTAssertEqual("\(e)", "/nonexistent/rules: no such rule file or directory")
        }
    }

    // MARK: - Rule set errors

    func testDuplicateIdNamesBothPlaces() {
        let e = RuleTestSupport.loadError([("a.yml", detectionHeader), ("b.yml", "\n" + detectionHeader)])
        XCTAssertEqual(e.map { "\($0)" }, "b.yml:2: duplicate rule id 'base' (first defined at a.yml:1)")
    }

    // MARK: - Correlation errors

    private func correlation(_ body: String, extra: String = "") -> String {
        detectionHeader + "---\ntitle: c\nid: c\ncorrelation:\n" + body + extra
    }

    func testUnknownReferencedRule() {
        XCTAssertEqual(error(correlation("  type: event_count\n  rules:\n    - base\n    - nothere\n  timespan: 5m\n  condition:\n    gte: 2\n")),
                       "r.yml:15: unknown rule 'nothere' (no rule has this id or name)")
    }

    func testRuleListedTwice() {
        XCTAssertEqual(error(correlation("  type: temporal\n  rules:\n    - base\n    - base\n  timespan: 5m\n")),
                       "r.yml:15: rule 'base' is listed twice")
    }

    func testReferenceCycle() {
        let text = detectionHeader + """
        ---
        title: x
        id: x
        correlation:
          type: temporal
          rules: [y, base]
          timespan: 5m
        ---
        title: y
        id: y
        correlation:
          type: temporal
          rules: [x, base]
          timespan: 5m

        """
        XCTAssertEqual(error(text), "r.yml:9: reference cycle: x -> y -> x")
        let selfCycle = detectionHeader + "---\ntitle: s\nid: s\ncorrelation:\n  type: temporal\n  rules: [s]\n  timespan: 5m\n"
        XCTAssertEqual(error(selfCycle), "r.yml:9: reference cycle: s -> s")
    }

    func testMissingAndBadTimespan() {
        XCTAssertEqual(error(correlation("  type: event_count\n  rules: [base]\n  condition:\n    gte: 2\n")),
                       "r.yml:12: correlation has no 'timespan'")
        XCTAssertEqual(error(correlation("  type: event_count\n  rules: [base]\n  timespan: 5 minutes\n  condition:\n    gte: 2\n")),
                       "r.yml:14: bad duration '5 minutes' (expected a number and s, m, h or d, e.g. 5m)")
        XCTAssertEqual(error(correlation("  type: event_count\n  rules: [base]\n  timespan: 5M\n  condition:\n    gte: 2\n")),
                       "r.yml:14: bad duration '5M' (expected a number and s, m, h or d, e.g. 5m)")
    }

    func testNonMonotonicConditionsNeedAClosingWindow() {
        for op in ["lt", "lte", "eq", "neq"] {
            XCTAssertEqual(error(correlation("  type: event_count\n  rules: [base]\n  timespan: 5m\n  condition:\n    \(op): 2\n")),
                           "r.yml:16: condition '\(op)' is only valid on tumbling or session windows")
        }
    }

    func testValueCountWithoutField() {
        XCTAssertEqual(error(correlation("  type: value_count\n  rules: [base]\n  timespan: 5m\n  condition:\n    gte: 2\n")),
                       "r.yml:16: value_count needs 'field' in its condition")
        XCTAssertEqual(error(correlation("  type: event_count\n  rules: [base]\n  timespan: 5m\n")),
                       "r.yml:12: event_count correlation has no 'condition'")
        XCTAssertEqual(error(correlation("  type: event_count\n  rules: [base]\n  timespan: 5m\n  condition:\n    field: x\n    gte: 1\n")),
                       "r.yml:16: 'field' applies only to value_count, value_sum, value_avg, value_percentile and value_median")
        XCTAssertEqual(error(correlation("  type: event_count\n  rules: [base]\n  timespan: 5m\n  condition:\n    over: 1\n")),
                       "r.yml:16: unknown condition 'over' (expected gt, gte, lt, lte, eq, neq or field)")
    }

    func testUnknownTypeAndWindowErrors() {
        XCTAssertEqual(error(correlation("  type: event_counter\n  rules: [base]\n  timespan: 5m\n")),
                       "r.yml:12: unknown correlation type 'event_counter'")
        let c = "  type: event_count\n  rules: [base]\n  timespan: 5m\n  condition:\n    gte: 2\n"
        XCTAssertEqual(error(correlation(c, extra: "secstream:\n  window: session\n")),
                       "r.yml:18: a session window needs 'gap'")
        XCTAssertEqual(error(correlation(c, extra: "secstream:\n  window: hopping\n")),
                       "r.yml:18: unknown window 'hopping' (expected sliding, tumbling or session)")
        XCTAssertEqual(error(correlation(c, extra: "secstream:\n  window: session\n  gap: soon\n")),
                       "r.yml:19: bad duration 'soon' (expected a number and s, m, h or d, e.g. 2m)")
    }

    func testGroupByMustExistInSourceCorrelation() {
        let text = detectionHeader + """
        ---
        title: inner
        id: inner
        correlation:
          type: event_count
          rules: [base]
          group-by: [source.ip]
          timespan: 5m
          condition: {gte: 3}
        ---
        title: outer
        id: outer
        correlation:
          type: event_count
          rules: [inner]
          group-by: [user.name]
          timespan: 1h
          condition: {gte: 2}

        """
        XCTAssertEqual(error(text), "r.yml:23: group-by 'user.name' is not in the group-by of referenced correlation 'inner'")
    }

    func testAliasWithoutFieldForARule() {
        let text = correlation("""
          type: temporal
          rules: [base]
          group-by: [ip]
          timespan: 5m
          aliases:
            ip:
              other_rule: source.ip

        """)
        XCTAssertEqual(error(text), "r.yml:17: alias 'ip' has no field for rule 'base'")
    }

    func testOtherDocumentErrors() {
        XCTAssertEqual(error("title: t\ndetection:\n  sel:\n    a: 1\n  condition: sel\ncorrelation:\n  type: temporal\n"),
                       "r.yml:1: a rule has either 'detection' or 'correlation', not both")
        XCTAssertEqual(error("action: global\ntitle: t\n"), "r.yml:1: Sigma v1 'action' documents are not supported")
        XCTAssertEqual(error("title: t\nid: ''\ndetection:\n  s:\n    a: 1\n  condition: s\n"), "r.yml:2: 'id' is empty")
        XCTAssertEqual(error(correlation("  type: temporal\n  rules: [base]\n  timespan: 5m\n  generate: maybe\n")),
                       "r.yml:15: 'generate' must be true or false")
        XCTAssertEqual(error(correlation("  type: temporal\n  rules: [base]\n  timespan: 5m\n", extra: "secstream:\n  windows: tumbling\n")),
                       "r.yml:16: unknown secstream option 'windows'")
        let e = RuleTestSupport.loadError([("a.yml", detectionHeader),
                                           ("b.yml", "title: t\nid: other\nname: base\ndetection:\n  s:\n    a: 1\n  condition: s\n")])
        XCTAssertEqual(e.map { "\($0)" }, "b.yml:1: duplicate rule name 'base' (first defined at a.yml:1)")
    }

    func testValueAggregationOverACorrelationIsRejected() {
        let text = detectionHeader + """
        ---
        title: inner
        id: inner
        correlation:
          type: event_count
          rules: [base]
          group-by: [source.ip]
          timespan: 5m
          condition: {gte: 3}
        ---
        title: outer
        id: outer
        correlation:
          type: value_count
          rules: [inner]
          group-by: [source.ip]
          timespan: 1h
          condition: {field: user.name, gte: 2}

        """
        XCTAssertEqual(error(text), "r.yml:22: value_count aggregates event fields, but 'inner' is a correlation")
    }
}
