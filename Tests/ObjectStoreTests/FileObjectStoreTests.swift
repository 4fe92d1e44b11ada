import XCTest
@testable import ObjectStore

final class FileObjectStoreTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "secstream-filestore-\(UUID().uuidString)"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testPutGetHeadDeleteRoundTrip() throws {
        let store = try FileObjectStore(root: directory)
        let body = Array("hello archive\n".utf8)
        try store.put(key: "dt=2026-11-20/hour=13/a.ndjson.gz", data: body)
        XCTAssertEqual(try store.get(key: "dt=2026-11-20/hour=13/a.ndjson.gz"), body)
        let info = try XCTUnwrap(try store.head(key: "dt=2026-11-20/hour=13/a.ndjson.gz"))
        XCTAssertEqual(info.size, body.count)
        XCTAssertEqual(info.key, "dt=2026-11-20/hour=13/a.ndjson.gz")

        // Overwrite replaces the whole object.
        try store.put(key: "dt=2026-11-20/hour=13/a.ndjson.gz", data: [1, 2, 3])
        XCTAssertEqual(try store.get(key: "dt=2026-11-20/hour=13/a.ndjson.gz"), [1, 2, 3])

        try store.delete(key: "dt=2026-11-20/hour=13/a.ndjson.gz")
        XCTAssertNil(try store.head(key: "dt=2026-11-20/hour=13/a.ndjson.gz"))
        XCTAssertThrowsError(try store.get(key: "dt=2026-11-20/hour=13/a.ndjson.gz")) { error in
            XCTAssertEqual((error as? ObjectStoreError)?.kind, .notFound)
        }
        // Deleting again succeeds, as on S3, and the emptied "folders" are gone.
        try store.delete(key: "dt=2026-11-20/hour=13/a.ndjson.gz")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/dt=2026-11-20"))
        XCTAssertEqual(try store.listAll(prefix: "", delimiter: "/"), ListPage(objects: [], commonPrefixes: []))
    }

    func testRangesAreClampedAtTheEndAndRejectedPastIt() throws {
        let store = try FileObjectStore(root: directory)
        let body = (0..<100).map { UInt8($0) }
        try store.put(key: "r", data: body)
        XCTAssertEqual(try store.get(key: "r", range: ByteRange(offset: 10, length: 5)), Array(body[10..<15]))
        XCTAssertEqual(try store.get(key: "r", range: ByteRange(offset: 90)), Array(body[90...]))
        XCTAssertEqual(try store.get(key: "r", range: ByteRange(offset: 95, length: 50)), Array(body[95...]))
        XCTAssertThrowsError(try store.get(key: "r", range: ByteRange(offset: 100, length: 1))) { error in
            XCTAssertEqual((error as? ObjectStoreError)?.kind, .invalidRange)
        }
    }

    func testListingFollowsS3PrefixDelimiterAndByteOrder() throws {
        let store = try FileObjectStore(root: directory)
        let keys = ["a.txt", "a/b/c", "a/b/d", "a/e", "b", "dt=1/x", "é", "Z", "a-z", "a/b.txt"]
        for key in keys { try store.put(key: key, data: Array(key.utf8)) }

        // Without a delimiter: every key, sorted by UTF-8 bytes ("Z" < "a", "é" last).
        let all = try store.listAll()
        XCTAssertEqual(all.objects.map(\.key), ["Z", "a-z", "a.txt", "a/b.txt", "a/b/c", "a/b/d", "a/e", "b", "dt=1/x", "é"])
        XCTAssertEqual(all.commonPrefixes, [])

        let top = try store.listAll(prefix: "", delimiter: "/")
        XCTAssertEqual(top.objects.map(\.key), ["Z", "a-z", "a.txt", "b", "é"])
        XCTAssertEqual(top.commonPrefixes, ["a/", "dt=1/"])

        let underA = try store.listAll(prefix: "a/", delimiter: "/")
        XCTAssertEqual(underA.objects.map(\.key), ["a/b.txt", "a/e"])
        XCTAssertEqual(underA.commonPrefixes, ["a/b/"])

        // A prefix that ends inside a name filters that directory's entries.
        let partial = try store.listAll(prefix: "a/b", delimiter: "/")
        XCTAssertEqual(partial.objects.map(\.key), ["a/b.txt"])
        XCTAssertEqual(partial.commonPrefixes, ["a/b/"])

        // Another delimiter rolls up on the full key.
        let dotted = try store.listAll(prefix: "a", delimiter: ".")
        XCTAssertEqual(dotted.commonPrefixes, ["a.", "a/b."])
        XCTAssertEqual(dotted.objects.map(\.key), ["a-z", "a/b/c", "a/b/d", "a/e"])
    }

    func testPagingCountsObjectsAndPrefixesAndHonoursStartAfter() throws {
        let store = try FileObjectStore(root: directory)
        for i in 0..<7 { try store.put(key: "k\(i)", data: [UInt8(i)]) }
        try store.put(key: "p/inner", data: [9])
        var pages: [ListPage] = []
        try store.list(prefix: "", delimiter: "/", startAfter: "k1", pageSize: 3) { page in
            pages.append(page)
            return true
        }
        XCTAssertEqual(pages.map { $0.objects.map(\.key) }, [["k2", "k3", "k4"], ["k5", "k6"]])
        XCTAssertEqual(pages.map(\.commonPrefixes), [[], ["p/"]])

        // start-after inside a rolled-up prefix keeps the prefix while a key
        // under it sorts after start-after (S3's rule).
        var prefixes: [String] = []
        try store.list(prefix: "", delimiter: "/", startAfter: "p/a", pageSize: 10) { page in
            prefixes += page.commonPrefixes
            return true
        }
        XCTAssertEqual(prefixes, ["p/"])
        prefixes = []
        try store.list(prefix: "", delimiter: "/", startAfter: "p/z", pageSize: 10) { page in
            prefixes += page.commonPrefixes
            return true
        }
        XCTAssertEqual(prefixes, [])

        var seen = 0
        try store.list(prefix: "", delimiter: nil, startAfter: nil, pageSize: 2) { _ in
            seen += 1
            return false
        }
        XCTAssertEqual(seen, 1, "returning false from onPage stops the listing")
    }

    func testWritesLeaveNoTemporaryFilesAndListingsSkipThem() throws {
        let store = try FileObjectStore(root: directory)
        try store.put(key: "d/x", data: [1])
        // An upload interrupted mid-way leaves a temporary file: not an object.
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/d/\(FileObjectStore.temporaryPrefix)y-1", contents: Data([2])))
        XCTAssertEqual(try store.listAll(prefix: "d/").objects.map(\.key), ["d/x"])
        let names = try FileManager.default.contentsOfDirectory(atPath: directory + "/d")
        XCTAssertEqual(names.filter { !$0.hasPrefix(FileObjectStore.temporaryPrefix) }, ["x"])
    }

    func testKeysAFilesystemCannotHoldFaithfullyAreRejected() throws {
        let store = try FileObjectStore(root: directory)
        for key in ["", "/abs", "a//b", "a/../b", "./a", "a/", "..", "x/\(FileObjectStore.temporaryPrefix)z"] {
            XCTAssertThrowsError(try store.put(key: key, data: [1]), "key \(key)") { error in
                XCTAssertEqual((error as? ObjectStoreError)?.kind, .invalidKey, "key \(key)")
            }
        }
    }
}
