import Foundation
import Kafka
import SecStreamCore
import XCTest
@testable import SecStreamKafkaRuntime
@testable import SecStreamPipeline

/// The pieces of the Kafka exactly-once bookkeeping, without a broker.
final class KafkaCheckpointUnitTests: XCTestCase {
    func testKafkaURIParsesBrokersTopicAndGroupAndRejectsTheRest() throws {
        let u = try KafkaURI("kafka://a:9092,b:9093/security.auth?group=det")
        XCTAssertEqual(u.bootstrap, "a:9092,b:9093")
        XCTAssertEqual(u.topic, "security.auth")
        XCTAssertEqual(u.group, "det")
        XCTAssertNil(try KafkaURI("kafka://a:9092/t").group)
        for bad in ["kafka://a:9092", "kafka:///t", "kafka://a:9092/", "kafka://a:9092/t?grp=x", "kafka://a:9092/t?group=", "kafka://a:9092/t/u"] {
            XCTAssertThrowsError(try KafkaURI(bad), bad) { XCTAssertEqual(($0 as? RunError)?.exitCode, 2, bad) }
        }
    }

    func testPartitionStateRoundTripsAndToleratesNewerFields() throws {
        let state = KafkaPartitionState(resume: 1234, mark: AlertMark(time: 1_763_632_800_000, ids: ["b", "a"]))
        XCTAssertEqual(String(decoding: state.encoded(), as: UTF8.self), "resume=1234;alert_time=1763632800000;alert_ids=a,b")
        XCTAssertEqual(KafkaPartitionState(decoding: state.encoded()[...]), state)
        let empty = KafkaPartitionState(resume: 7, mark: AlertMark())
        XCTAssertEqual(KafkaPartitionState(decoding: empty.encoded()[...]), empty)
        XCTAssertEqual(KafkaPartitionState(decoding: Array("resume=9;archived=5;owner=x".utf8)[...]), KafkaPartitionState(resume: 9, mark: AlertMark(), archived: 5))
        XCTAssertNil(KafkaPartitionState(decoding: Array("alert_time=5".utf8)[...]), "no resume offset, no state")

        let withTopic = KafkaPartitionState(resume: 3, mark: AlertMark(time: 9, ids: ["a"]), alertsEnd: [1: 40, 0: 17])
        XCTAssertEqual(String(decoding: withTopic.encoded(), as: UTF8.self), "resume=3;alert_time=9;alert_ids=a;alerts_end=0:17,1:40")
        XCTAssertEqual(KafkaPartitionState(decoding: withTopic.encoded()[...]), withTopic)
        XCTAssertNil(KafkaPartitionState(decoding: Array("resume=3;alert_time=9;alert_ids=a".utf8)[...])?.alertsEnd,
                     "a state from before alerts topics decodes without offsets")
        var later = withTopic
        later.alertsEnd = [0: 90, 1: 95]
        XCTAssertTrue(later.sameProgress(as: withTopic), "only the alerts topic moved: not rewritten")
        later.resume = 4
        XCTAssertFalse(later.sameProgress(as: withTopic))
    }

    func testIdsReadBackFromTheAlertsTopicAreWithheldAndTheMarkMovesPastThemInFiringOrder() throws {
        let marks = KafkaAlertMarks(topic: "t")
        let line = #"{"alert_id":"bbb","detected_at":"2026-11-20T10:00:05.000Z","samples":[{"topic":"t","partition":2,"offset":20}]}"#
        let parsed = try XCTUnwrap(marks.parseWritten(Array(line.utf8)))
        XCTAssertEqual(parsed.id, "bbb")
        XCTAssertEqual(parsed.partition, 2)
        XCTAssertNil(marks.parseWritten(Array("{}".utf8)))
        marks.noteReadBack(id: "bbb", time: parsed.time, partition: 2, from: [0: 5])
        XCTAssertEqual(marks.mark(2), AlertMark(), "an id read back sets no time mark")

        func alert(_ low: UInt64, at time: Int64) -> Alert {
            Alert(id: AlertID(high: 0, low: low), ruleID: "r", title: "r", level: "high", tags: [], group: [],
                  windowStart: 0, windowEnd: 0, value: 1, firstSeen: 0, lastSeen: 0, detectedAt: time,
                  samples: [.partition(topic: "t", partition: 2, offset: 1)])
        }
        // The crashed writer's alerts at 10 and 30 reached the topic, the one at 20 did not.
        let (a10, a20, a30) = (alert(10, at: 10), alert(20, at: 20), alert(30, at: 30))
        marks.noteReadBack(id: a10.id.description, time: 10, partition: 2, from: [0: 5])
        marks.noteReadBack(id: a30.id.description, time: 30, partition: 2, from: [0: 5])
        XCTAssertFalse(marks.admit(a10), "read back: withheld")
        XCTAssertTrue(marks.admit(a20), "missing from the topic: written")
        XCTAssertFalse(marks.admit(a30))
        XCTAssertEqual(marks.mark(2), AlertMark(time: 30, ids: [a30.id.description]), "the mark moved past all three")
        XCTAssertFalse(marks.admit(a20), "and a rebuild after the next checkpoint withholds them")
    }

    /// Found by `make soak`: an owner that read alerts back and was stopped
    /// before its windows fired them again checkpointed the topic's current
    /// ends with the old mark, so the next owner neither read them back nor
    /// had them covered, and wrote them again. Until every read-back alert of
    /// a partition has fired again, its checkpoints keep the read-back offsets.
    func testCheckpointsKeepTheReadBackOffsetsUntilTheReadBackAlertsFireAgain() {
        let marks = KafkaAlertMarks(topic: "t")
        func alert(_ low: UInt64, at time: Int64, partition: Int32) -> Alert {
            Alert(id: AlertID(high: 0, low: low), ruleID: "r", title: "r", level: "high", tags: [], group: [],
                  windowStart: 0, windowEnd: 0, value: 1, firstSeen: 0, lastSeen: 0, detectedAt: time,
                  samples: [.partition(topic: "t", partition: partition, offset: 1)])
        }
        let now: [Int32: Int64] = [0: 90, 1: 80]
        XCTAssertEqual(marks.alertsEnd(partition: 2, current: now), now, "nothing read back: the current ends")
        marks.merge(AlertMark(time: 5, ids: ["old"]), partition: 2)
        let (a10, a20) = (alert(10, at: 10, partition: 2), alert(20, at: 20, partition: 2))
        marks.noteReadBack(id: a10.id.description, time: 10, partition: 2, from: [0: 7, 1: 3])
        marks.noteReadBack(id: a20.id.description, time: 20, partition: 2, from: [0: 7, 1: 3])
        marks.merge(AlertMark(time: 5, ids: ["old3"]), partition: 3)
        marks.noteReadBack(id: "covered", time: 4, partition: 3, from: [0: 1])
        XCTAssertEqual(marks.alertsEnd(partition: 2, current: now), [0: 7, 1: 3], "read-back alerts pending: keep where they were read")
        XCTAssertEqual(marks.alertsEnd(partition: 3, current: now), now, "an alert the mark covers is not pending")
        XCTAssertFalse(marks.admit(a10))
        XCTAssertEqual(marks.alertsEnd(partition: 2, current: now), [0: 7, 1: 3], "one still pending")
        XCTAssertFalse(marks.admit(a20))
        XCTAssertEqual(marks.alertsEnd(partition: 2, current: now), now, "both fired again and the mark covers them")
        XCTAssertEqual(marks.mark(2).time, 20)
    }

    /// The restart suppression of a Kafka run (the engine has none of its
    /// own): the alert writer's gate withholds what the partition's mark
    /// covers, counts it, and writes the rest; the mark then covers those too.
    func testAlertWriterWithholdsWhatTheMarkCoversAndWritesTheRest() throws {
        final class Lines: LineSink {
            var lines: [String] = []
            func write(line: UnsafeRawBufferPointer, key: @autoclosure () -> [UInt8]?, origin: @autoclosure () -> TopicPartition?) throws {
                lines.append(String(decoding: line, as: UTF8.self))
            }
            func makeDurable() throws {}
            func close() throws {}
        }
        func alert(_ low: UInt64, at time: Int64) -> Alert {
            Alert(id: AlertID(high: 0, low: low), ruleID: "r", title: "r", level: "high", tags: [], group: [],
                  windowStart: 0, windowEnd: 0, value: 1, firstSeen: 0, lastSeen: 0, detectedAt: time,
                  samples: [.partition(topic: "t", partition: 2, offset: time)])
        }
        let (a2, a5, a5b, a8) = (alert(2, at: 2), alert(5, at: 5), alert(55, at: 5), alert(8, at: 8))
        let marks = KafkaAlertMarks(topic: "t")
        marks.merge(AlertMark(time: 5, ids: [a5.id.description]), partition: 2)
        let lines = Lines()
        let writer = AlertWriter(sink: lines)
        writer.gate = { marks.admit($0) }
        for a in [a2, a5, a5b, a8] { try writer.emit(a) }
        XCTAssertEqual(writer.suppressed, 2, "at 2 and the one written at 5")
        XCTAssertEqual(writer.written, 2, "the other alert at 5 was not written before the restart")
        XCTAssertEqual(lines.lines, [a5b, a8].map { String(decoding: AlertEncoder.line($0), as: UTF8.self) })
        XCTAssertEqual(marks.mark(2), AlertMark(time: 8, ids: [a8.id.description]))
    }

    func testReplayRuleRoundTripsAndSkipsOnlyConsumedRecordsOlderThanTheResumeTime() {
        let state = KafkaPartitionState(resume: 40, mark: AlertMark(), resumeTime: 1_000, replayUntil: 90)
        XCTAssertEqual(String(decoding: state.encoded(), as: UTF8.self), "resume=40;resume_time=1000;replay_until=90")
        XCTAssertEqual(KafkaPartitionState(decoding: state.encoded()[...]), state)
        XCTAssertFalse(state.sameProgress(as: KafkaPartitionState(resume: 40, mark: AlertMark())))
        let rules = RestartSkipRules()
        rules.set(partition: 3, time: 1_000, until: 90)
        let rule = rules.rule(input: 3)
        XCTAssertEqual(rule, RestartSkipRule(time: 1_000, until: 90))
        XCTAssertTrue(rule?.skips(position: 50, time: 999) == true, "consumed before the checkpoint, older: an ended window's")
        XCTAssertFalse(rule?.skips(position: 50, time: 1_000) == true, "at the resume time: rebuilt")
        XCTAssertFalse(rule?.skips(position: 90, time: 10) == true, "not consumed before the checkpoint: processed as new")
        XCTAssertNil(rules.rule(input: 2), "another partition has no rule")
    }

    func testAlertMarkCoversEarlierAlertsAndOnlyTheListedOnesAtItsTime() {
        var mark = AlertMark()
        XCTAssertFalse(mark.covers(time: 0, id: "x"))
        mark.record(time: 100, id: "a")
        mark.record(time: 100, id: "b")
        XCTAssertTrue(mark.covers(time: 99, id: "z"))
        XCTAssertTrue(mark.covers(time: 100, id: "b"))
        XCTAssertFalse(mark.covers(time: 100, id: "c"), "a third alert in the same millisecond was not written yet")
        XCTAssertFalse(mark.covers(time: 101, id: "a"))
        mark.merge(AlertMark(time: 100, ids: ["c"]))
        XCTAssertEqual(mark.ids, ["a", "b", "c"])
        mark.merge(AlertMark(time: 50, ids: ["old"]))
        XCTAssertEqual(mark, AlertMark(time: 100, ids: ["a", "b", "c"]))
        mark.merge(AlertMark(time: 200, ids: ["n"]))
        XCTAssertEqual(mark, AlertMark(time: 200, ids: ["n"]))
    }

    func testResumeOffsetIsTheFirstBatchHoldingAnEventTheOpenStateNeeds() {
        var t = KafkaResumeTracker()
        t.start(partition: 0, at: 100)
        t.start(partition: 1, at: 0)
        t.consumed(partition: 0, firstOffset: 100, nextOffset: 110, maxTime: 1_000)
        t.consumed(partition: 0, firstOffset: 110, nextOffset: 120, maxTime: 2_000)
        t.consumed(partition: 0, firstOffset: 120, nextOffset: 130, maxTime: 3_000)
        t.consumed(partition: 1, firstOffset: 0, nextOffset: 5, maxTime: .min)   // nothing valid in it
        XCTAssertEqual(t.resumeOffsets(oldestRetained: 500), [0: 100, 1: 5])
        XCTAssertEqual(t.resumeOffsets(oldestRetained: 1_500), [0: 110, 1: 5])
        XCTAssertEqual(t.resumeOffsets(oldestRetained: 2_000), [0: 110, 1: 5], "an event at exactly the oldest time is needed")
        XCTAssertEqual(t.resumeOffsets(oldestRetained: nil), [0: 130, 1: 5], "nothing retained: resume after the last record")
    }

    func testAlertsFileOfAnEarlierRunSetsTheMarksAndLosesItsHalfWrittenLine() throws {
        let dir = try TempDir()
        let path = dir.path("alerts.ndjson")
        let a1 = #"{"alert_id":"aaa","detected_at":"2026-11-20T10:00:01.000Z","samples":[{"topic":"t","partition":2,"offset":9}]}"#
        let a2 = #"{"alert_id":"bbb","detected_at":"2026-11-20T10:00:05.000Z","samples":[{"topic":"t","partition":2,"offset":20}]}"#
        let a3 = #"{"alert_id":"ccc","detected_at":"2026-11-20T10:00:03.000Z","samples":[{"topic":"t","partition":0,"offset":4}]}"#
        try (a1 + "\n" + a2 + "\n" + a3 + "\n" + #"{"alert_id":"ddd","detec"#).write(toFile: path, atomically: true, encoding: .utf8)
        let marks = KafkaAlertMarks(topic: "t")
        try marks.loadAlertsFile(path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), a1 + "\n" + a2 + "\n" + a3 + "\n", "the torn line is cut")
        XCTAssertEqual(marks.mark(2), AlertMark(time: 1_795_168_805_000, ids: ["bbb"]))
        XCTAssertEqual(marks.mark(0), AlertMark(time: 1_795_168_803_000, ids: ["ccc"]))
        XCTAssertEqual(marks.mark(1), AlertMark())

        try "not an alert\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try KafkaAlertMarks(topic: "t").loadAlertsFile(path)) {
            XCTAssertTrue("\($0)".contains("\(path):1:"), "\($0)")
        }
    }
}
