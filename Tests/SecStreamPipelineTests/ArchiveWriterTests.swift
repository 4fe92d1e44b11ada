import Codecs
import ObjectStore
import SecStreamCore
import XCTest
@testable import SecStreamPipeline

/// The writer on its own: Kafka-partition names, cuts by size and by event
/// time age (never by wall clock), and the orphan sweep of file inputs.
final class ArchiveWriterTests: XCTestCase {
    private var directory = ""
    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "secstream-writer-\(UUID().uuidString)"
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private let base = EventTime.parse("2026-11-20T13:00:00Z")!

    private func append(_ writer: ArchiveWriter, source: Int32, position: Int64, time: Int64, text: String = "x") throws {
        let line = Array("{\"@timestamp\":\"\(EventTime.format(time))\",\"m\":\"\(text)\"}".utf8)
        try line.withUnsafeBytes { try writer.append($0, time: time, location: EventLocation(source: source, position: position)) }
    }

    /// A followed file that was rotated or truncated numbers its lines from 1
    /// again: the new file's objects get the next generation's stem instead of
    /// overwriting the old file's objects of the same hour and first line.
    func testRestartedLineNumbersOfAFileGetTheirOwnObjects() throws {
        let store = try FileObjectStore(root: directory)
        let sources = SourceTable()
        let file = sources.file("/var/log/conn.ndjson")
        var options = ArchiveWriterOptions()
        options.flushBytes = 200  // about four lines
        let writer = ArchiveWriter(store: store, options: options, sources: sources)
        for i in 1...6 { try append(writer, source: file, position: Int64(i), time: base + Int64(i) * 1000, text: "old") }
        for i in 1...5 { try append(writer, source: file, position: Int64(i), time: base + 60_000 + Int64(i) * 1000, text: "new") }
        try writer.close()
        let keys = try store.listAll().objects.map(\.key)
        XCTAssertEqual(keys, [
            "dt=2026-11-20/hour=13/conn-000000000001.ndjson.lz4",
            "dt=2026-11-20/hour=13/conn-000000000005.ndjson.lz4",
            "dt=2026-11-20/hour=13/conn.gen2-000000000001.ndjson.lz4",
            "dt=2026-11-20/hour=13/conn.gen2-000000000005.ndjson.lz4",
        ])
        var lines = 0
        for key in keys { lines += String(decoding: try Codec.decompress(.lz4, try store.get(key: key)), as: UTF8.self).split(separator: "\n").count }
        XCTAssertEqual(lines, 11, "no object overwrote another")
    }

    func testPartitionNamesSizeAndAgeCuts() throws {
        let store = try FileObjectStore(root: directory)
        let sources = SourceTable()
        let p3 = sources.partition(topic: "sec.logs", partition: 3)
        let p4 = sources.partition(topic: "sec.logs", partition: 4)
        var options = ArchiveWriterOptions()
        options.flushBytes = 200  // about four lines
        options.flushAgeMs = 60_000
        let writer = ArchiveWriter(store: store, options: options, sources: sources)
        // Partition 3: offsets 100..<110 in hour 13; partition 4: one event in hour 13 and,
        // after the hour, events in hour 14 older than the age only at offset 503.
        for i in 0..<10 { try append(writer, source: p3, position: 100 + Int64(i), time: base + Int64(i) * 1000) }
        try append(writer, source: p4, position: 500, time: base + 5000)
        try append(writer, source: p4, position: 501, time: base + 3_600_000 + 1000)  // hour 14, not yet 1m past 14:00
        try writer.jobDone()
        try writer.drainUploads()
        let beforeAge = try store.listAll().objects.map(\.key)
        XCTAssertFalse(beforeAge.contains { $0.contains("sec.logs-4-") }, "\(beforeAge)")
        try append(writer, source: p4, position: 502, time: base + 3_600_000 + 59_000)
        try append(writer, source: p4, position: 503, time: base + 3_600_000 + 61_000)  // hour 13 + 1m has passed
        try writer.drainUploads()
        XCTAssertTrue(try store.listAll().objects.map(\.key).contains("dt=2026-11-20/hour=13/sec.logs-4-000000000500.ndjson.lz4"))
        XCTAssertEqual(writer.openFirstPositions(source: p4), [501])
        try writer.close()

        let keys = try store.listAll().objects.map(\.key)
        XCTAssertEqual(keys, [
            "dt=2026-11-20/hour=13/sec.logs-3-000000000100.ndjson.lz4",
            "dt=2026-11-20/hour=13/sec.logs-3-000000000104.ndjson.lz4",
            "dt=2026-11-20/hour=13/sec.logs-3-000000000108.ndjson.lz4",
            "dt=2026-11-20/hour=13/sec.logs-4-000000000500.ndjson.lz4",
            "dt=2026-11-20/hour=14/sec.logs-4-000000000501.ndjson.lz4",
        ])
        let first = String(decoding: try Codec.decompress(.lz4, try store.get(key: keys[0])), as: UTF8.self)
        XCTAssertEqual(first.split(separator: "\n").count, 4)
        XCTAssertTrue(first.hasPrefix("{\"@timestamp\":\"2026-11-20T13:00:00.000Z\""))
        XCTAssertEqual(writer.events, 14)
    }

    func testOrphansOfAFileInputAreSweptOthersKept() throws {
        let store = try FileObjectStore(root: directory)
        // Left by a killed run cut at other sizes, by another input, and by another tool.
        for key in ["dt=2026-11-20/hour=13/events-000000000003.ndjson.gz", "dt=2026-11-20/hour=13/events-000000000001.ndjson.lz4",
                    "dt=2026-11-20/hour=13/events-2-000000000001.ndjson.lz4", "dt=2026-11-20/hour=13/notes.txt"] {
            try store.put(key: key, data: [1, 2, 3])
        }
        let sources = SourceTable()
        let file = sources.file("/data/events.ndjson")
        let writer = ArchiveWriter(store: store, options: ArchiveWriterOptions(), sources: sources)
        for i in 0..<3 { try append(writer, source: file, position: Int64(1 + i), time: base + Int64(i)) }
        try writer.close()
        XCTAssertEqual(try store.listAll().objects.map(\.key), [
            "dt=2026-11-20/hour=13/events-000000000001.ndjson.lz4",  // rewritten by this run
            "dt=2026-11-20/hour=13/events-2-000000000001.ndjson.lz4",
            "dt=2026-11-20/hour=13/notes.txt",
        ])
        XCTAssertEqual(try Codec.decompress(.lz4, try store.get(key: "dt=2026-11-20/hour=13/events-000000000001.ndjson.lz4"))
            .filter { $0 == 0x0a }.count, 3)
    }
}

/// Standard input: runs fed different streams keep apart, a re-run of the same stream overwrites.
final class ArchiveStdinNamingTests: XCTestCase {
    func testStdinObjectsAreNamedByTheirFirstEvent() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("archive-stdin")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try ArchiveTestFiles.generate(work + "/a.ndjson", events: 2000, seed: 1, span: "30m", malformed: 0)
        try ArchiveTestFiles.generate(work + "/b.ndjson", events: 2000, seed: 2, span: "30m", malformed: 0)
        for input in ["a", "b", "a"] {
            try SecStreamCLI.check(["process", "--input", "-", "--archive", work + "/archive", "--alerts", "/dev/null"],
                                   stdin: work + "/\(input).ndjson")
        }
        let keys = try ArchiveTestFiles.objects(under: work + "/archive").keys.sorted()
        // Two streams over hours 10 and 11: four objects, two stems; the re-run of `a` overwrote its own.
        XCTAssertEqual(keys.count, 4, "\(keys)")
        XCTAssertTrue(keys.allSatisfy { $0.range(of: #"/stdin-[0-9a-f]{1,8}-[0-9]{12}\.ndjson\.lz4$"#, options: .regularExpression) != nil }, "\(keys)")
        XCTAssertEqual(Set(keys.map { $0.split(separator: "/")[2].split(separator: "-")[1] }).count, 2, "\(keys)")
        XCTAssertEqual(try SecStreamCLI.check(["query", work + "/archive"]).lines.count, 4000)
    }
}
