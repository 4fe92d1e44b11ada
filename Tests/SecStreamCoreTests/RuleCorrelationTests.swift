import XCTest
@testable import SecStreamCore

/// Correlation rules resolved against the loaded set.
final class RuleCorrelationTests: XCTestCase {
    private let failedLogin = """
    title: Failed login
    id: 11111111-0000-0000-0000-000000000001
    name: failed_login
    detection:
      sel:
        event.category: authentication
        event.outcome: failure
      condition: sel

    """
    private let successLogin = """
    title: Successful login
    id: 11111111-0000-0000-0000-000000000002
    name: successful_login
    detection:
      sel:
        event.category: authentication
        event.outcome: success
      condition: sel

    """

    func testEventCountByIdWithGroupByTimespanAndCondition() throws {
        let set = try RuleTestSupport.load([("r.yml", failedLogin + """
        ---
        title: Brute force
        id: brute-force
        level: high
        tags: [attack.t1110]
        correlation:
          type: event_count
          rules:
            - 11111111-0000-0000-0000-000000000001
          group-by:
            - source.ip
            - user.name
          timespan: 5m
          condition:
            gte: 10

        """)])
        XCTAssertEqual(set.detections.count, 1)
        let c = try XCTUnwrap(set.correlations.first)
        XCTAssertEqual(c.kind, .eventCount)
        XCTAssertEqual(c.meta.id, "brute-force")
        XCTAssertEqual(c.meta.level, "high")
        XCTAssertEqual(c.meta.tags, ["attack.t1110"])
        XCTAssertEqual(c.meta.location, RuleLocation(file: "r.yml", line: 10))
        XCTAssertEqual(c.timespanMs, 300_000)
        XCTAssertEqual(c.window, .sliding)
        XCTAssertEqual(c.condition, Threshold(gte: 10))
        XCTAssertEqual(c.groupBy, ["source.ip", "user.name"])
        XCTAssertEqual(c.inputs.count, 1)
        XCTAssertEqual(c.inputs[0].source, .detection(0))
        XCTAssertEqual(c.inputs[0].groupFields, [FieldRef([set.schema.id(of: "source.ip")!]),
                                                 FieldRef([set.schema.id(of: "user.name")!])])
        XCTAssertFalse(set.detections[0].emitsAlerts, "a rule only feeding a correlation writes no alerts")
        XCTAssertTrue(c.emitsAlerts)
        XCTAssertEqual(set.schema.paths.first, "@timestamp")
        XCTAssertEqual(set.timeField, 0)
    }

    func testValueCountSumAndAvgNeedAndCarryField() throws {
        for (type, kind) in [("value_count", CorrelationKind.valueCount), ("value_sum", .valueSum), ("value_avg", .valueAvg)] {
            let set = try RuleTestSupport.load([("r.yml", failedLogin + """
            ---
            title: agg
            correlation:
              type: \(type)
              rules: [failed_login]
              group-by: [source.ip]
              timespan: 1h
              condition:
                field: destination.bytes
                gt: 100
                lte: 200
            secstream:
              window: tumbling

            """)])
            let c = set.correlations[0]
            XCTAssertEqual(c.kind, kind)
            XCTAssertEqual(c.valueFieldName, "destination.bytes")
            XCTAssertEqual(c.inputs[0].valueField, FieldRef([set.schema.id(of: "destination.bytes")!]))
            XCTAssertEqual(c.condition, Threshold(gt: 100, lte: 200), "a range is the AND of its bounds")
            XCTAssertEqual(c.timespanMs, 3_600_000)
        }
    }

    func testTemporalDefaultsToAllRulesAndKeepsOrder() throws {
        let set = try RuleTestSupport.load([("r.yml", failedLogin + "---\n" + successLogin + """
        ---
        title: fail then success
        correlation:
          type: temporal_ordered
          rules:
            - failed_login
            - successful_login
          group-by: [user.name]
          timespan: 10m

        """)])
        let c = set.correlations[0]
        XCTAssertEqual(c.kind, .temporalOrdered)
        XCTAssertEqual(c.inputs.map(\.source), [.detection(0), .detection(1)])
        XCTAssertEqual(c.condition, Threshold(gte: 2))
        XCTAssertTrue(c.condition.isMonotonic, "temporal fires as soon as every rule has matched")
    }

    func testChainedCorrelationsAreOrderedAfterTheirSourcesWithGroupIndexes() throws {
        // The outer correlation comes first in the file, as in the Sigma spec example.
        let set = try RuleTestSupport.load([("chain.yml", """
        title: Many failures then success
        id: outer
        correlation:
          type: temporal_ordered
          rules:
            - multiple_failed_login
            - successful_login
          group-by:
            - user.name
          timespan: 10m
        level: high
        ---
        title: Multiple failed logons
        id: inner
        name: multiple_failed_login
        correlation:
          type: event_count
          rules:
            - failed_login
          group-by:
            - source.ip
            - user.name
          timespan: 10m
          condition:
            gte: 10
        ---

        """ + failedLogin + "---\n" + successLogin)])
        XCTAssertEqual(set.correlations.map(\.meta.id), ["inner", "outer"])
        let outer = set.correlations[1]
        XCTAssertEqual(outer.inputs[0].source, .correlation(0))
        XCTAssertEqual(outer.inputs[0].groupIndexes, [1], "user.name is the second group-by of 'inner'")
        XCTAssertEqual(outer.inputs[1].source, .detection(1))
        XCTAssertEqual(outer.inputs[1].groupFields, [FieldRef([set.schema.id(of: "user.name")!])])
        XCTAssertFalse(set.correlations[0].emitsAlerts, "inner only feeds outer")
        XCTAssertTrue(outer.emitsAlerts)
        XCTAssertFalse(set.detections[0].emitsAlerts)
        XCTAssertFalse(set.detections[1].emitsAlerts)
    }

    func testGenerateKeepsReferencedRulesAlerting() throws {
        let set = try RuleTestSupport.load([("r.yml", failedLogin + "---\n" + successLogin + """
        ---
        title: count failures
        correlation:
          type: event_count
          rules: [failed_login]
          group-by: [user.name]
          timespan: 1m
          condition: {gte: 3}
        ---
        title: count successes, keep their alerts
        correlation:
          type: event_count
          generate: true
          rules: [successful_login]
          group-by: [user.name]
          timespan: 1m
          condition: {gte: 3}

        """)])
        XCTAssertFalse(set.detections[0].emitsAlerts)
        XCTAssertTrue(set.detections[1].emitsAlerts)
    }

    func testAliasesResolvePerRuleFields() throws {
        let set = try RuleTestSupport.load([("r.yml", """
        title: internal error
        name: internal_error
        detection:
          sel:
            http.response.status_code: 500
          condition: sel
        ---
        title: new connection
        name: new_network_connection
        detection:
          sel:
            event.category: network
          condition: sel
        ---
        title: error then connection
        correlation:
          type: temporal
          rules: [internal_error, new_network_connection]
          group-by: [internal_ip, remote_ip]
          timespan: 10s
          aliases:
            internal_ip:
              internal_error: destination.ip
              new_network_connection: source.ip
            remote_ip:
              internal_error: source.ip
              new_network_connection: destination.ip

        """)])
        let c = set.correlations[0]
        let src = set.schema.id(of: "source.ip")!, dst = set.schema.id(of: "destination.ip")!
        XCTAssertEqual(c.inputs[0].groupFields, [FieldRef([dst]), FieldRef([src])])
        XCTAssertEqual(c.inputs[1].groupFields, [FieldRef([src]), FieldRef([dst])])
        XCTAssertEqual(c.groupBy, ["internal_ip", "remote_ip"])
        XCTAssertEqual(c.timespanMs, 10_000)
    }

    func testSecstreamWindowExtensions() throws {
        let base = failedLogin + """
        ---
        title: windowed
        correlation:
          type: event_count
          rules: [failed_login]
          group-by: [user.name]
          timespan: 1d
          condition:
            lt: 5

        """
        let tumbling = try RuleTestSupport.load([("r.yml", base + "secstream:\n  window: tumbling\n")])
        XCTAssertEqual(tumbling.correlations[0].window, .tumbling)
        XCTAssertEqual(tumbling.correlations[0].condition, Threshold(lt: 5))
        XCTAssertFalse(tumbling.correlations[0].condition.isMonotonic)
        let session = try RuleTestSupport.load([("r.yml", base + "secstream: {window: session, gap: 2m}\n")])
        XCTAssertEqual(session.correlations[0].window, .session(gapMs: 120_000))
        XCTAssertEqual(session.correlations[0].timespanMs, 86_400_000)
    }

    func testTimeFieldIsConfigurable() throws {
        let set = try RuleTestSupport.load([("r.yml", failedLogin)], timeField: "event.created")
        XCTAssertEqual(set.schema.paths[set.timeField], "event.created")
        XCTAssertNil(set.schema.id(of: "@timestamp"))
    }
}
