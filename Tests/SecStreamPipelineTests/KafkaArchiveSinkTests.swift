import Codecs
import ObjectStore
import SecStreamCore
import XCTest
@testable import SecStreamKafkaRuntime
@testable import SecStreamPipeline

/// The Kafka archive sink on its own: a checkpoint uploads everything
/// appended and reports the offset after it; a new owner deletes the orphans
/// a crashed owner uploaded past the checkpoint, skips records archived
/// already, and leaves other partitions' objects alone.
final class KafkaArchiveSinkTests: XCTestCase {
    private var directory = ""
    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "secstream-karchive-sink-\(UUID().uuidString)"
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private let base = EventTime.parse("2026-11-20T13:00:00Z")!

    private func sink(_ store: ObjectStore, _ sources: SourceTable) -> KafkaArchiveSink {
        var options = ArchiveWriterOptions()
        options.flushBytes = 200  // about four lines
        return KafkaArchiveSink(writer: ArchiveWriter(store: store, options: options, sources: sources),
                                store: store, topic: "events", sources: sources)
    }

    private func append(_ sink: KafkaArchiveSink, _ source: Int32, offsets: Range<Int64>) throws {
        for offset in offsets {
            let time = base + offset * 1000
            let line = Array("{\"@timestamp\":\"\(EventTime.format(time))\",\"n\":\(offset)}".utf8)
            try line.withUnsafeBytes { try sink.append($0, time: time, location: EventLocation(source: source, position: offset)) }
        }
        try sink.jobDone()
    }

    /// Every archived `n` (the offset) of a partition, in key order.
    private func archivedOffsets(_ store: ObjectStore, partition: Int32) throws -> [Int64] {
        try store.listAll().objects.filter { $0.key.contains("/events-\(partition)-") }.flatMap { object in
            String(decoding: try Codec.decompress(.lz4, try store.get(key: object.key)), as: UTF8.self)
                .split(separator: "\n").map { Int64($0.split(separator: ":").last!.dropLast())! }
        }
    }

    func testCheckpointResumeDeletesOrphansAndSkipsArchivedRecords() throws {
        let store = try FileObjectStore(root: directory)
        let sources = SourceTable()
        let p0 = sources.partition(topic: "events", partition: 0)
        let p1 = sources.partition(topic: "events", partition: 1)

        // The first owner: a checkpoint after offset 5 of partition 0 (not a
        // size cut: the open object is cut there), then more records, of
        // which the size cuts upload some, then a crash (no close).
        let crashed = sink(store, sources)
        try crashed.resume(partition: 0, archivedThrough: nil)
        XCTAssertNil(crashed.archivedThrough(partition: 0))
        try append(crashed, p0, offsets: 0..<6)
        try append(crashed, p1, offsets: 0..<3)
        try crashed.makeDurable()
        XCTAssertEqual(crashed.archivedThrough(partition: 0), 6)
        XCTAssertEqual(crashed.archivedThrough(partition: 1), 3)
        XCTAssertEqual(try archivedOffsets(store, partition: 0), Array(0..<6))
        try append(crashed, p0, offsets: 6..<15)
        // Size cuts upload in the background.
        XCTAssertTrue(try waitUntil(timeout: 10) { try archivedOffsets(store, partition: 0).contains { $0 >= 6 } },
                      "the crash leaves orphans past the checkpoint")

        // The next owner resumes from offset 2 (the windows need it) with archived=6.
        let next = sink(store, sources)
        try next.resume(partition: 0, archivedThrough: 6)
        XCTAssertEqual(try archivedOffsets(store, partition: 0), Array(0..<6), "orphans deleted")
        XCTAssertEqual(try archivedOffsets(store, partition: 1), Array(0..<3), "other partitions untouched")
        XCTAssertEqual(next.archivedThrough(partition: 0), 6, "nothing new archived yet")
        try append(next, p0, offsets: 2..<20)
        try next.close()
        XCTAssertEqual(try archivedOffsets(store, partition: 0), Array(0..<20), "every record once")
        XCTAssertEqual(next.archivedThrough(partition: 0), 20)
    }
}
