import Workers
import TestSupport
import XCTest
@testable import ObjectStore

/// The S3 store against moto's standalone server (S3 behaviour: multipart,
/// ranges, paging, errors; moto runs without authentication, see
/// S3NanioSignatureTests for signature enforcement).
final class S3MotoIntegrationTests: XCTestCase {
    nonisolated(unsafe) static var server: LocalServer?
    nonisolated(unsafe) static var startError: Error?

    override class func setUp() {
        super.setUp()
        do { server = try LocalServer.moto() } catch { startError = error }
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private func makeStore(prefix: String = "", port: Int? = nil,
                           tune: (inout S3Configuration) -> Void = { _ in }) throws -> S3ObjectStore {
        if let error = Self.startError { throw error }
        let server = try XCTUnwrap(Self.server)
        var configuration = S3TestSupport.configuration(port: port ?? server.port)
        tune(&configuration)
        let bucket = S3TestSupport.bucketName(name)
        let admin = S3ObjectStore(bucket: bucket, configuration: S3TestSupport.configuration(port: server.port))
        try admin.createBucket()
        return S3ObjectStore(bucket: bucket, prefix: prefix, configuration: configuration)
    }

    func testEveryOperationRoundTripsWithHiveKeys() throws {
        let store = try makeStore(prefix: "archive/run 1")
        XCTAssertEqual(store.location, "s3://\(store.bucket)/archive/run 1/")
        let keys = ["dt=2026-11-20/hour=13/events-0.ndjson.gz", "dt=2026-11-20/hour=13/a+b=c&d.ndjson",
                    "dt=2026-11-20/hour=14/é 日本.lz4", "top.txt"]
        for (index, key) in keys.enumerated() {
            try store.put(key: key, data: Array("object \(index) \(key)\n".utf8),
                          options: PutOptions(contentType: "application/x-ndjson", serverSideEncryption: .aes256))
        }
        for (index, key) in keys.enumerated() {
            XCTAssertEqual(try store.get(key: key), Array("object \(index) \(key)\n".utf8), key)
            let info = try XCTUnwrap(try store.head(key: key), key)
            XCTAssertEqual(info.key, key)
            XCTAssertEqual(info.size, "object \(index) \(key)\n".utf8.count)
            XCTAssertFalse(info.etag.isEmpty)
            XCTAssertGreaterThan(info.lastModifiedMillis, 1_700_000_000_000)
        }

        let all = try store.listAll()
        XCTAssertEqual(all.objects.map(\.key), keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let top = try store.listAll(prefix: "", delimiter: "/")
        XCTAssertEqual(top.commonPrefixes, ["dt=2026-11-20/"])
        XCTAssertEqual(top.objects.map(\.key), ["top.txt"])
        let hours = try store.listAll(prefix: "dt=2026-11-20/", delimiter: "/")
        XCTAssertEqual(hours.commonPrefixes, ["dt=2026-11-20/hour=13/", "dt=2026-11-20/hour=14/"])

        try store.delete(key: keys[0])
        XCTAssertNil(try store.head(key: keys[0]))
        XCTAssertThrowsError(try store.get(key: keys[0])) { error in
            let failure = error as? ObjectStoreError
            XCTAssertEqual(failure?.kind, .notFound)
            XCTAssertEqual(failure?.code, "NoSuchKey")
            XCTAssertTrue(failure?.description.contains("s3://\(store.bucket)/archive/run 1/\(keys[0])") == true,
                          failure?.description ?? "")
        }
        try store.delete(key: keys[0])  // deleting a missing key succeeds, as on S3
        XCTAssertEqual(try store.listAll().objects.count, keys.count - 1)
    }

    func testByteRanges() throws {
        let store = try makeStore()
        let body = S3TestSupport.randomBytes(10_000, seed: 7)
        try store.put(key: "r.bin", data: body)
        XCTAssertEqual(try store.get(key: "r.bin", range: ByteRange(offset: 0, length: 1)), [body[0]])
        XCTAssertEqual(try store.get(key: "r.bin", range: ByteRange(offset: 1234, length: 4321)), Array(body[1234..<5555]))
        XCTAssertEqual(try store.get(key: "r.bin", range: ByteRange(offset: 9_990)), Array(body[9_990...]))
        XCTAssertEqual(try store.get(key: "r.bin", range: ByteRange(offset: 9_000, length: 5_000)), Array(body[9_000...]))
        XCTAssertThrowsError(try store.get(key: "r.bin", range: ByteRange(offset: 10_000, length: 10))) { error in
            XCTAssertEqual((error as? ObjectStoreError)?.kind, .invalidRange, "\(error)")
        }
    }

    func testMultipartUploadOfALargeObject() throws {
        let store = try makeStore { configuration in
            configuration.multipartThreshold = 5 << 20
            configuration.partSize = 5 << 20
        }
        let body = S3TestSupport.randomBytes((11 << 20) + 123, seed: 11)
        try store.put(key: "big/object.ndjson.gz", data: body, options: PutOptions(serverSideEncryption: .aes256))
        let info = try XCTUnwrap(try store.head(key: "big/object.ndjson.gz"))
        XCTAssertEqual(info.size, body.count)
        XCTAssertTrue(info.etag.hasSuffix("-3"), "a 3-part multipart ETag, got \(info.etag)")
        XCTAssertEqual(try store.get(key: "big/object.ndjson.gz"), body)
        // A range across the first part boundary.
        let boundary = 5 << 20
        XCTAssertEqual(try store.get(key: "big/object.ndjson.gz", range: ByteRange(offset: boundary - 10, length: 20)),
                       Array(body[(boundary - 10)..<(boundary + 10)]))
    }

    func testListingPagesPastOneThousandKeys() throws {
        let store = try makeStore(prefix: "paging")
        let keys = (0..<1_050).map { i in "dt=2026-11-\(10 + i % 3)/hour=\(i % 24 < 10 ? "0" : "")\(i % 24)/part-\(i).ndjson" }
        try OrderedWorkerPool.forEach(count: keys.count, width: 8) { index in
            try store.put(key: keys[index], data: [UInt8(index & 0xff)])
        }
        var pageSizes: [Int] = []
        var listed: [String] = []
        try store.list(prefix: "", delimiter: nil, startAfter: nil, pageSize: 1000) { page in
            pageSizes.append(page.objects.count)
            listed += page.objects.map(\.key)
            return true
        }
        XCTAssertEqual(pageSizes, [1000, 50])
        XCTAssertEqual(listed, keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })

        // Small pages, a start-after key, and a delimiter roll-up.
        var smallPages = 0
        var afterCount = 0
        let startAfter = "dt=2026-11-10/hour=12/part-900.ndjson"
        var afterKeys: [String] = []
        try store.list(prefix: "dt=2026-11-10/", delimiter: nil, startAfter: startAfter, pageSize: 7) { page in
            smallPages += 1
            afterCount += page.objects.count
            afterKeys += page.objects.map(\.key)
            return true
        }
        XCTAssertEqual(afterKeys, listed.filter { $0.hasPrefix("dt=2026-11-10/") && $0 > startAfter })
        XCTAssertEqual(smallPages, (afterCount + 6) / 7)
        XCTAssertEqual(try store.listAll(prefix: "", delimiter: "/").commonPrefixes,
                       ["dt=2026-11-10/", "dt=2026-11-11/", "dt=2026-11-12/"])
        // start-after past every key of a rolled-up prefix drops the prefix.
        // (S3 keeps a prefix that still holds a key after start-after;
        // moto 5.2 drops it, so FileObjectStoreTests checks that rule.)
        var prefixes: [String] = []
        try store.list(prefix: "", delimiter: "/", startAfter: "dt=2026-11-11/hour=99", pageSize: 1000) { page in
            prefixes += page.commonPrefixes
            return true
        }
        XCTAssertEqual(prefixes, ["dt=2026-11-12/"])
    }

    func testMissingBucketIsOneClearRemoteError() throws {
        if let error = Self.startError { throw error }
        let server = try XCTUnwrap(Self.server)
        let store = S3ObjectStore(bucket: "no-such-bucket-\(UInt32.random(in: 0...UInt32.max))",
                                  configuration: S3TestSupport.configuration(port: server.port))
        XCTAssertThrowsError(try store.listAll()) { error in
            let failure = error as? ObjectStoreError
            XCTAssertEqual(failure?.kind, .remoteFailed)
            XCTAssertEqual(failure?.code, "NoSuchBucket")
            XCTAssertEqual(failure?.attempts, 1, "a missing bucket is not retried")
            let line = failure?.description ?? ""
            XCTAssertFalse(line.contains("\n"), line)
            XCTAssertTrue(line.hasPrefix("S3 LIST s3://\(store.bucket)/ failed: HTTP 404 NoSuchBucket:"), line)
        }
    }

    func testParallelGetsReuseConnections() throws {
        if let error = Self.startError { throw error }
        let server = try XCTUnwrap(Self.server)
        let proxy = try FaultInjectingProxy(upstreamPort: server.port) { _, _, _ in .none }
        defer { proxy.stop() }
        let store = try makeStore(port: proxy.port) { $0.maxConnections = 4 }
        let keys = (0..<40).map { "obj-\($0)" }
        try OrderedWorkerPool.forEach(count: keys.count, width: 4) { try store.put(key: keys[$0], data: Array(keys[$0].utf8)) }
        let fetched = try store.getMany(keys: keys, parallelism: 4)
        XCTAssertEqual(fetched, keys.map { Array($0.utf8) })
        XCTAssertEqual(proxy.requests.count, 80)
        XCTAssertLessThanOrEqual(proxy.connectionsAccepted, 8, "80 requests over at most 4 concurrent connections, kept alive")
        // What went on the wire: signed payload hash on every request, known
        // Content-Length on uploads, never chunked.
        for request in proxy.requests {
            XCTAssertNotNil(request.headers["x-amz-content-sha256"], request.target)
            XCTAssertNil(request.headers["transfer-encoding"], request.target)
            if request.method == "PUT" { XCTAssertEqual(request.headers["content-length"], String(request.bodyLength)) }
        }
    }

    /// A hostile or broken server whose listing never ends: the same
    /// continuation token again, or empty pages that each say more follows.
    func testListingThatNeverEndsIsAnError() throws {
        if let error = Self.startError { throw error }
        let server = try XCTUnwrap(Self.server)
        @Sendable func page(_ token: String, key: String?) -> String {
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated>"
                + (key.map { "<Contents><Key>\($0)</Key><Size>1</Size><ETag>\"e\"</ETag></Contents>" } ?? "")
                + "<NextContinuationToken>\(token)</NextContinuationToken></ListBucketResult>"
        }
        let repeating = try FaultInjectingProxy(upstreamPort: server.port) { index, method, _ in
            method == "GET" ? .respond(xml: page(index < 3 ? "t\(index)" : "t1", key: "k\(index)")) : .none
        }
        defer { repeating.stop() }
        var pages = 0
        XCTAssertThrowsError(try makeStore(port: repeating.port).list(prefix: "", delimiter: nil, startAfter: nil, pageSize: 1000) { _ in
            pages += 1
            return true
        }) { error in
            XCTAssertTrue("\(error)".contains("the listing does not advance: continuation token repeated after 3 pages"), "\(error)")
        }
        XCTAssertEqual(pages, 3)

        let empty = try FaultInjectingProxy(upstreamPort: server.port) { index, method, _ in
            method == "GET" ? .respond(xml: page("t\(index)", key: nil)) : .none
        }
        defer { empty.stop() }
        XCTAssertThrowsError(try makeStore(port: empty.port).list(prefix: "", delimiter: nil, startAfter: nil, pageSize: 1000) { _ in true }) { error in
            XCTAssertTrue("\(error)".contains("100 empty pages in a row"), "\(error)")
        }
        XCTAssertEqual(empty.requests.count, 100)
    }

    func testKmsEncryptionHeadersAreSent() throws {
        if let error = Self.startError { throw error }
        let server = try XCTUnwrap(Self.server)
        // moto would check that the KMS key exists; the proxy answers the
        // upload itself, so only the request is under test.
        let proxy = try FaultInjectingProxy(upstreamPort: server.port) { _, method, _ in
            method == "PUT" ? .acceptWithoutForwarding : .none
        }
        defer { proxy.stop() }
        let store = try makeStore(port: proxy.port)
        try store.put(key: "k", data: [1], options: PutOptions(serverSideEncryption: .kms(keyId: "alias/secstream")))
        let put = try XCTUnwrap(proxy.requests.first { $0.method == "PUT" })
        XCTAssertEqual(put.headers["x-amz-server-side-encryption"], "aws:kms")
        XCTAssertEqual(put.headers["x-amz-server-side-encryption-aws-kms-key-id"], "alias/secstream")
        XCTAssertTrue(put.headers["authorization"]?.contains("x-amz-server-side-encryption-aws-kms-key-id") == true,
                      "SSE headers are signed")
    }

    // MARK: injected faults

    func testInjectedServerErrorsResetsAndStallsAreRetriedWithoutLoss() throws {
        if let error = Self.startError { throw error }
        let server = try XCTUnwrap(Self.server)
        let cycle: [FaultInjectingProxy.Fault] = [
            .error(status: 500, code: "InternalError"), .error(status: 503, code: "SlowDown"),
            .closeBeforeResponse, .closeMidResponse, .stall(seconds: 2.5),
        ]
        // Every third request fails, cycling through the kinds; stalls (which
        // cost a timeout each) only twice. Each POST of the multipart upload
        // (create, complete) is first executed and its answer cut, so the
        // client must cope with a replayed create and with a complete that
        // already happened: the retried complete is told NoSuchUpload, as
        // servers that forget finished uploads say.
        let cutPosts = SeenSet(), answeredCompletes = SeenSet()
        let proxy = try FaultInjectingProxy(upstreamPort: server.port) { index, method, target in
            if method == "POST" && cutPosts.insert(target) {
                return .closeMidResponse
            }
            if method == "POST" && target.contains("uploadId=") && answeredCompletes.insert(target) {
                return .error(status: 404, code: "NoSuchUpload")
            }
            guard index % 3 == 1 else { return .none }
            let fault = cycle[(index / 3) % cycle.count]
            if case .stall = fault, index > 40 { return .error(status: 503, code: "SlowDown") }
            return fault
        }
        defer { proxy.stop() }
        let store = try makeStore(prefix: "faults") { configuration in
            configuration.stallTimeoutSeconds = 1
            configuration.multipartThreshold = 5 << 20
            configuration.partSize = 5 << 20
            configuration.retry = RetryPolicy(maxAttempts: 8, baseDelayMillis: 2, maxDelayMillis: 20)
        }
        let faulty = S3ObjectStore(bucket: store.bucket, prefix: "faults", configuration: {
            var configuration = store.configuration
            configuration.endpoint.port = proxy.port
            return configuration
        }())

        var expected: [String: [UInt8]] = [:]
        for i in 0..<30 {
            let key = "dt=2026-11-20/hour=\(10 + i % 3)/events-\(i).ndjson"
            expected[key] = S3TestSupport.randomBytes(100 + i * 37, seed: UInt64(i))
            try faulty.put(key: key, data: expected[key]!)
        }
        let big = S3TestSupport.randomBytes((10 << 20) + 17, seed: 99)
        try faulty.put(key: "dt=2026-11-20/hour=12/big.ndjson", data: big)
        expected["dt=2026-11-20/hour=12/big.ndjson"] = big
        for key in expected.keys.sorted().prefix(5) {
            try faulty.delete(key: key)
            expected[key] = nil
        }
        let listed = try faulty.listAll()
        XCTAssertEqual(listed.objects.map(\.key), expected.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for (key, body) in expected where body.count < 10_000 {
            XCTAssertEqual(try faulty.get(key: key), body, key)
        }
        XCTAssertEqual(try faulty.get(key: "dt=2026-11-20/hour=12/big.ndjson", range: ByteRange(offset: 5 << 20, length: 1000)),
                       Array(big[(5 << 20)..<((5 << 20) + 1000)]))

        // Checked again straight against the server, past the proxy.
        XCTAssertEqual(try store.listAll().objects.map(\.key), listed.objects.map(\.key))
        XCTAssertEqual(try store.get(key: "dt=2026-11-20/hour=12/big.ndjson"), big)

        let injected = proxy.requests.map(\.fault).filter { $0 != .none }
        for fault in cycle {
            XCTAssertTrue(injected.contains(fault), "fault \(fault) was injected at least once")
        }
        XCTAssertGreaterThan(injected.count, 20)
        XCTAssertEqual(proxy.requests.filter { $0.method == "POST" && $0.fault == .closeMidResponse }.count, 2,
                       "the create and the complete were each cut once")
        XCTAssertEqual(proxy.requests.filter { $0.fault == .error(status: 404, code: "NoSuchUpload") }.count, 1)
    }

    func testClockSkewIsCorrectedFromTheServerDate() throws {
        if let error = Self.startError { throw error }
        let server = try XCTUnwrap(Self.server)
        let proxy = try FaultInjectingProxy(upstreamPort: server.port) { index, _, _ in
            index == 0 ? .clockSkew(serverAheadSeconds: 7_200) : .none
        }
        defer { proxy.stop() }
        let store = try makeStore(port: proxy.port)
        try store.put(key: "k", data: [7])
        XCTAssertEqual(try store.get(key: "k"), [7])
        let dates = proxy.requests.compactMap { $0.headers["x-amz-date"] }
        XCTAssertEqual(dates.count, 3)
        func secondsAheadOfNow(_ amzDate: String) -> Int {
            let d = Array(amzDate.utf8).map { Int($0) - 48 }
            func n(_ i: Int, _ c: Int) -> Int { d[i..<(i + c)].reduce(0) { $0 * 10 + $1 } }
            let millis = S3Time.epochMillis(year: n(0, 4), month: n(4, 2), day: n(6, 2), hour: n(9, 2),
                                            minute: n(11, 2), second: n(13, 2), millis: 0)
            return Int(millis / 1000) - Int(Date().timeIntervalSince1970)
        }
        XCTAssertLessThan(abs(secondsAheadOfNow(dates[0])), 30, "first attempt signed with the local clock")
        for date in dates.dropFirst() {
            XCTAssertLessThan(abs(secondsAheadOfNow(date) - 7_200), 30, "later requests signed with the server's clock")
        }
    }

    func testPersistentSlowDownFailsAfterRetriesWithOneClearLine() throws {
        if let error = Self.startError { throw error }
        let server = try XCTUnwrap(Self.server)
        let proxy = try FaultInjectingProxy(upstreamPort: server.port) { _, method, _ in
            method == "PUT" ? .error(status: 503, code: "SlowDown") : .none
        }
        defer { proxy.stop() }
        let store = try makeStore(port: proxy.port) { configuration in
            configuration.retry = RetryPolicy(maxAttempts: 3, baseDelayMillis: 1, maxDelayMillis: 5)
        }
        XCTAssertThrowsError(try store.put(key: "dt=2026-11-20/x", data: [1])) { error in
            let failure = error as? ObjectStoreError
            XCTAssertEqual(failure?.kind, .remoteFailed)
            XCTAssertEqual(failure?.attempts, 3)
            XCTAssertEqual(failure?.description,
                           "S3 PUT s3://\(store.bucket)/dt=2026-11-20/x failed: HTTP 503 SlowDown: injected SlowDown "
                           + "(request id FAULT2, after 3 attempts)")
        }
        XCTAssertEqual(proxy.requests.filter { $0.method == "PUT" }.count, 3)
    }
}

/// A thread-safe set for stateful fault plans.
final class SeenSet: @unchecked Sendable {
    private let lock = NSLock()
    private var seen = Set<String>()

    /// True the first time `value` is inserted.
    func insert(_ value: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return seen.insert(value).inserted
    }
}
