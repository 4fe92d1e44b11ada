import XCTest
import ObjectStore
import SecStreamCore
@testable import SecStreamArchive
@testable import SecStreamPipeline

/// Object keys, names and partition pruning of the archive.
final class ArchiveLayoutTests: XCTestCase {
    private let t1330 = EventTime.parse("2026-11-20T13:30:00Z")!

    func testHiveKeysAndDeterministicNames() {
        let hour = ArchiveLayout.hour(of: t1330)
        XCTAssertEqual(ArchiveLayout.hourPrefix(hour: hour), "dt=2026-11-20/hour=13/")
        XCTAssertEqual(ArchiveLayout.objectKey(hour: hour, stem: "events", firstPosition: 17, codec: .lz4),
                       "dt=2026-11-20/hour=13/events-000000000017.ndjson.lz4")
        XCTAssertEqual(ArchiveLayout.objectKey(hour: hour + 11, stem: "auth-3", firstPosition: 1_234_567_890_123, codec: .gzip),
                       "dt=2026-11-21/hour=00/auth-3-1234567890123.ndjson.gz")
        XCTAssertEqual(ArchiveLayout.stem(for: .file(name: "/data/in/Events 2026.ndjson.gz", line: 1)), "Events_2026")
        XCTAssertEqual(ArchiveLayout.stem(for: .file(name: "x.log.lz4", line: 1)), "x")
        XCTAssertEqual(ArchiveLayout.stem(for: .file(name: "stdin", line: 1)), "stdin")
        XCTAssertEqual(ArchiveLayout.stem(for: .partition(topic: "sec.logs/a", partition: 3, offset: 9)), "sec.logs_a-3")
        XCTAssertEqual(ArchiveLayout.hour(ofKey: "dt=2026-11-20/hour=13/events-000000000017.ndjson.lz4"), hour)
        XCTAssertNil(ArchiveLayout.hour(ofKey: "dt=2026-11-20/hour=24/x.ndjson.lz4"))
        XCTAssertNil(ArchiveLayout.hour(ofKey: "other/x.ndjson.lz4"))
        XCTAssertTrue(ArchiveLayout.isObject(named: "events-000000000017.ndjson.gz", of: "events"))
        XCTAssertFalse(ArchiveLayout.isObject(named: "events-2-000000000017.ndjson.gz", of: "events"))
        XCTAssertFalse(ArchiveLayout.isObject(named: "events-000000000017.txt", of: "events"))
        XCTAssertEqual(ArchiveLayout.hour(of: -1), -1)  // floor, not truncation, before 1970
    }

    func testListingReadsOnlyThePrefixesInRange() throws {
        let directory = NSTemporaryDirectory() + "secstream-layout-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = RecordingStore(try FileObjectStore(root: directory))
        let day0 = EventTime.parse("2026-11-19T00:00:00Z")! / ArchiveLayout.hourMs
        for hour in [day0 + 22, day0 + 23, day0 + 24, day0 + 25, day0 + 30, day0 + 48] {
            try store.put(key: ArchiveLayout.objectKey(hour: hour, stem: "b", firstPosition: 1, codec: .lz4), data: [1])
            try store.put(key: ArchiveLayout.objectKey(hour: hour, stem: "a", firstPosition: 9, codec: .gzip), data: [1])
        }
        try store.put(key: ArchiveLayout.hourPrefix(hour: day0 + 24) + "notes.txt", data: [1])

        // [2026-11-19T23:00, 2026-11-20T01:00): two hours, across a day boundary.
        store.prefixes.removeAll()
        let objects = try ArchiveListing.objects(in: store, from: (day0 + 23) * ArchiveLayout.hourMs,
                                                 to: (day0 + 25) * ArchiveLayout.hourMs)
        XCTAssertEqual(objects.map(\.key), [
            "dt=2026-11-19/hour=23/a-000000000009.ndjson.gz", "dt=2026-11-19/hour=23/b-000000000001.ndjson.lz4",
            "dt=2026-11-20/hour=00/a-000000000009.ndjson.gz", "dt=2026-11-20/hour=00/b-000000000001.ndjson.lz4",
        ])
        // The day list, the hour lists of the two edge days, then only the hours in range;
        // 2026-11-21 is never opened.
        XCTAssertEqual(store.prefixes, ["dt=", "dt=2026-11-19/", "dt=2026-11-19/hour=23/", "dt=2026-11-20/", "dt=2026-11-20/hour=00/"])

        // No range: everything, in (hour, name) order.
        XCTAssertEqual(try ArchiveListing.objects(in: store, from: nil, to: nil).count, 12)
    }
}

/// An object store that records the prefixes it is asked to list.
final class RecordingStore: ObjectStore, @unchecked Sendable {
    private let inner: ObjectStore
    var prefixes: [String] = []
    init(_ inner: ObjectStore) { self.inner = inner }
    var location: String { inner.location }
    func put(key: String, data: [UInt8], options: PutOptions) throws { try inner.put(key: key, data: data, options: options) }
    func get(key: String, range: ByteRange?) throws -> [UInt8] { try inner.get(key: key, range: range) }
    func head(key: String) throws -> ObjectInfo? { try inner.head(key: key) }
    func delete(key: String) throws { try inner.delete(key: key) }
    func list(prefix: String, delimiter: String?, startAfter: String?, pageSize: Int, onPage: (ListPage) throws -> Bool) throws {
        prefixes.append(prefix)
        try inner.list(prefix: prefix, delimiter: delimiter, startAfter: startAfter, pageSize: pageSize, onPage: onPage)
    }
}
