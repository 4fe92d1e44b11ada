import TestSupport
import XCTest
@testable import ObjectStore

/// The S3 store against nanio, which verifies the SigV4 signature of every
/// request (moto with authentication on rejects valid signatures on keys
/// with `=` or `/`, getmoto/moto#5948, so it cannot serve here).
final class S3NanioSignatureTests: XCTestCase {
    nonisolated(unsafe) static var server: LocalServer?
    nonisolated(unsafe) static var startError: Error?

    override class func setUp() {
        super.setUp()
        do {
            server = try LocalServer.nanio(accessKey: S3TestSupport.accessKey, secretKey: S3TestSupport.secretKey)
        } catch {
            startError = error
        }
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private func port() throws -> Int {
        if let error = Self.startError { throw error }
        return try XCTUnwrap(Self.server).port
    }

    private func makeStore(prefix: String = "", sessionToken: String? = nil,
                           tune: (inout S3Configuration) -> Void = { _ in }) throws -> S3ObjectStore {
        var configuration = S3TestSupport.configuration(port: try port(), sessionToken: sessionToken)
        tune(&configuration)
        let store = S3ObjectStore(bucket: S3TestSupport.bucketName(name), prefix: prefix, configuration: configuration)
        try store.createBucket()
        return store
    }

    func testEveryOperationIsAcceptedWithHiveStyleAndOddKeys() throws {
        let store = try makeStore(prefix: "archive=v1/events")
        let keys = ["dt=2026-11-20/hour=13/topic-0-000000000042.ndjson.gz",
                    "dt=2026-11-20/hour=13/a b+c=d&e~f!g(h)'i*j,k;l@m$n.ndjson",
                    "dt=2026-11-20/hour=14/ünïcödé-日本.ndjson.lz4",
                    "dt=2026-11-21/hour=00/x.gz"]
        for (index, key) in keys.enumerated() {
            try store.put(key: key, data: Array("event \(index)\n".utf8),
                          options: PutOptions(contentType: "application/x-ndjson"))
        }
        for (index, key) in keys.enumerated() {
            XCTAssertEqual(try store.get(key: key), Array("event \(index)\n".utf8), key)
            XCTAssertEqual(try store.get(key: key, range: ByteRange(offset: 2, length: 3)), Array("ent".utf8), key)
            XCTAssertEqual(try store.head(key: key)?.size, "event \(index)\n".utf8.count, key)
        }
        // Small pages make the client sign continuation tokens, start-after
        // keys and `=`-laden prefixes in the query string.
        var pages = 0
        var listed: [String] = []
        try store.list(prefix: "dt=2026-11-20/", delimiter: nil, startAfter: nil, pageSize: 2) { page in
            pages += 1
            listed += page.objects.map(\.key)
            return true
        }
        XCTAssertEqual(listed, Array(keys.prefix(3)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        XCTAssertEqual(pages, 2)
        XCTAssertEqual(try store.listAll(prefix: "", delimiter: "/").commonPrefixes, ["dt=2026-11-20/", "dt=2026-11-21/"])
        // A signed start-after with `=` and `/` in it.
        var afterStart: [String] = []
        try store.list(prefix: "dt=", delimiter: nil, startAfter: "dt=2026-11-20/hour=13/zz", pageSize: 10) { page in
            afterStart += page.objects.map(\.key)
            return true
        }
        XCTAssertEqual(afterStart, [keys[2], keys[3]])

        for key in keys { try store.delete(key: key) }
        XCTAssertEqual(try store.listAll().objects, [])
    }

    func testMultipartUploadIsSigned() throws {
        let store = try makeStore { configuration in
            configuration.multipartThreshold = 5 << 20
            configuration.partSize = 5 << 20
        }
        let body = S3TestSupport.randomBytes((10 << 20) + 5, seed: 3)
        try store.put(key: "dt=2026-11-20/hour=01/big.ndjson.gz", data: body)
        XCTAssertEqual(try store.get(key: "dt=2026-11-20/hour=01/big.ndjson.gz"), body)
    }

    func testSessionTokenIsSentAndSigned() throws {
        let store = try makeStore(sessionToken: "FQoGZXIvYXdzEXAMPLE/token+with=odd/chars")
        try store.put(key: "dt=2026-11-20/k", data: [42])
        XCTAssertEqual(try store.get(key: "dt=2026-11-20/k"), [42])
    }

    func testWrongSecretIsOneClearErrorAndNotRetried() throws {
        let good = try makeStore()
        try good.put(key: "k", data: [1])
        var configuration = good.configuration
        configuration.credentials.secretAccessKey = "not-the-secret"
        let bad = S3ObjectStore(bucket: good.bucket, configuration: configuration)
        XCTAssertThrowsError(try bad.get(key: "k")) { error in
            let failure = error as? ObjectStoreError
            XCTAssertEqual(failure?.kind, .remoteFailed)
            XCTAssertEqual(failure?.code, "SignatureDoesNotMatch")
            XCTAssertEqual(failure?.attempts, 1, "a signature error is not retried")
            let line = failure?.description ?? ""
            XCTAssertTrue(line.hasPrefix("S3 GET s3://\(good.bucket)/k failed: HTTP 403 SignatureDoesNotMatch: "), line)
            XCTAssertFalse(line.contains("\n"), line)
        }
        XCTAssertNil(try? bad.head(key: "k"))
    }

    func testUnknownAccessKeyIsNamed() throws {
        let good = try makeStore()
        var configuration = good.configuration
        configuration.credentials.accessKeyId = "AKIANOTKNOWN"
        let bad = S3ObjectStore(bucket: good.bucket, configuration: configuration)
        XCTAssertThrowsError(try bad.put(key: "k", data: [1])) { error in
            let failure = error as? ObjectStoreError
            XCTAssertEqual(failure?.kind, .remoteFailed)
            XCTAssertEqual(failure?.httpStatus, 403)
            XCTAssertEqual(failure?.code, "InvalidAccessKeyId", failure?.description ?? "")
        }
    }

    func testPresignedURLReadsWithoutCredentials() throws {
        let store = try makeStore(prefix: "shared")
        try store.put(key: "dt=2026-11-20/hour=13/a b=c.ndjson", data: Array("presigned\n".utf8))
        let url = try store.presignedURL(key: "dt=2026-11-20/hour=13/a b=c.ndjson")
        XCTAssertTrue(url.contains("X-Amz-Signature="), url)
        let http = CurlHTTPClient(maxConnections: 1, connectTimeoutMillis: 5_000, stallTimeoutSeconds: 30)
        let response = try http.perform(HTTPRequest(method: "GET", url: url, headers: []))
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        XCTAssertEqual(response.body, Array("presigned\n".utf8))

        // Tampering with the key breaks the signature.
        let tampered = url.replacingOccurrences(of: "a%20b", with: "a%20c")
        XCTAssertEqual(try http.perform(HTTPRequest(method: "GET", url: tampered, headers: [])).status, 403)
    }
}
