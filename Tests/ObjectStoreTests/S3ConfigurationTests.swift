import XCTest
@testable import ObjectStore

final class S3ConfigurationTests: XCTestCase {
    private var home: String!

    override func setUpWithError() throws {
        home = NSTemporaryDirectory() + "secstream-awshome-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: home)
    }

    private func write(_ name: String, _ text: String) throws {
        try text.write(toFile: home + "/.aws/" + name, atomically: true, encoding: .utf8)
    }

    func testEnvironmentCredentialsWinOverProfiles() throws {
        try write("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n")
        let configuration = try S3Configuration.resolve(
            environment: ["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "ENVSECRET",
                          "AWS_SESSION_TOKEN": "ENVTOKEN", "AWS_REGION": "eu-west-3"],
            home: home)
        XCTAssertEqual(configuration.credentials, AWSCredentials(accessKeyId: "ENVKEY", secretAccessKey: "ENVSECRET",
                                                                 sessionToken: "ENVTOKEN"))
        XCTAssertEqual(configuration.region, "eu-west-3")
        XCTAssertEqual(configuration.endpoint, S3Endpoint(scheme: "https", host: "s3.eu-west-3.amazonaws.com",
                                                          port: nil, addressing: .virtualHosted))
    }

    func testNamedProfileFromCredentialsAndConfigFiles() throws {
        try write("credentials", """
            # comment
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = DEFAULTSECRET

            [archive]
            aws_access_key_id = ARCHIVEKEY
            aws_secret_access_key = ARCHIVE/SECRET=
            aws_session_token = ARCHIVETOKEN
            """)
        try write("config", """
            [default]
            region = us-west-2
            [profile archive]
            region = ap-southeast-2
            endpoint_url = http://127.0.0.1:9100
            s3 =
              addressing_style = virtual
            """)
        let configuration = try S3Configuration.resolve(environment: ["AWS_PROFILE": "archive"], home: home)
        XCTAssertEqual(configuration.credentials, AWSCredentials(accessKeyId: "ARCHIVEKEY", secretAccessKey: "ARCHIVE/SECRET=",
                                                                 sessionToken: "ARCHIVETOKEN"))
        XCTAssertEqual(configuration.region, "ap-southeast-2")
        XCTAssertEqual(configuration.endpoint, S3Endpoint(scheme: "http", host: "127.0.0.1", port: 9100,
                                                          addressing: .virtualHosted))

        let defaults = try S3Configuration.resolve(environment: [:], home: home)
        XCTAssertEqual(defaults.credentials.accessKeyId, "DEFAULTKEY")
        XCTAssertEqual(defaults.region, "us-west-2")
    }

    func testEndpointFromEnvironmentIsPathStyleAndOverridesWin() throws {
        let environment = ["AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "S",
                           "AWS_ENDPOINT_URL": "http://localhost:9000/", "AWS_DEFAULT_REGION": "eu-central-1"]
        let fromEnvironment = try S3Configuration.resolve(environment: environment, home: home)
        XCTAssertEqual(fromEnvironment.endpoint, S3Endpoint(scheme: "http", host: "localhost", port: 9000, addressing: .path))
        XCTAssertEqual(fromEnvironment.region, "eu-central-1")

        let overridden = try S3Configuration.resolve(
            environment: environment, home: home,
            overrides: .init(region: "us-east-2", endpointURL: "https://s3.example.net", addressing: .virtualHosted,
                             serverSideEncryption: .kms(keyId: "k1")))
        XCTAssertEqual(overridden.endpoint, S3Endpoint(scheme: "https", host: "s3.example.net", port: nil,
                                                       addressing: .virtualHosted))
        XCTAssertEqual(overridden.region, "us-east-2")
        XCTAssertEqual(overridden.serverSideEncryption, .kms(keyId: "k1"))
        XCTAssertEqual(overridden.endpoint.hostHeader(bucket: "logs"), "logs.s3.example.net")
        // Dotted buckets under https, and non-DNS names, fall back to path style.
        XCTAssertEqual(overridden.endpoint.hostHeader(bucket: "my.logs"), "s3.example.net")
        XCTAssertEqual(overridden.endpoint.encodedPath(bucket: "my.logs", key: "k"), "/my.logs/k")
        XCTAssertEqual(overridden.endpoint.hostHeader(bucket: "Bad_Name"), "s3.example.net")
        XCTAssertEqual(fromEnvironment.endpoint.hostHeader(bucket: "logs"), "localhost:9000")
        XCTAssertEqual(fromEnvironment.endpoint.encodedPath(bucket: "logs", key: "dt=1/a b"), "/logs/dt%3D1/a%20b")
    }

    func testMissingCredentialsAndBadEndpointAreConfigurationErrors() throws {
        XCTAssertThrowsError(try S3Configuration.resolve(environment: ["AWS_PROFILE": "nope"], home: home)) { error in
            let failure = error as? ObjectStoreError
            XCTAssertEqual(failure?.kind, .configuration)
            XCTAssertTrue(failure?.description.contains("profile nope") == true, failure?.description ?? "")
            XCTAssertTrue(failure?.description.contains("AWS_ACCESS_KEY_ID") == true)
        }
        XCTAssertThrowsError(try S3Configuration.resolve(
            environment: ["AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "S", "AWS_ENDPOINT_URL": "ftp://x"],
            home: home)) { error in
            XCTAssertEqual((error as? ObjectStoreError)?.kind, .configuration)
        }
    }

    func testURIOpensTheRightStoreScopedToItsPrefix() throws {
        let environment = ["AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "S", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"]
        let s3 = try XCTUnwrap(try ObjectStoreURI.open("s3://sec-logs/archive/prod", environment: environment) as? S3ObjectStore)
        XCTAssertEqual(s3.bucket, "sec-logs")
        XCTAssertEqual(s3.prefix, "archive/prod/")
        XCTAssertEqual(s3.location, "s3://sec-logs/archive/prod/")
        XCTAssertEqual(try XCTUnwrap(try ObjectStoreURI.open("s3://b", environment: environment) as? S3ObjectStore).prefix, "")

        let directory = home + "/archive dir"
        let file = try XCTUnwrap(try ObjectStoreURI.open("file://" + directory.replacingOccurrences(of: " ", with: "%20"))
            as? FileObjectStore)
        XCTAssertEqual(file.root, directory)
        let plain = try XCTUnwrap(try ObjectStoreURI.open(directory + "/") as? FileObjectStore)
        XCTAssertEqual(plain.root, directory)

        for bad in ["s3://", "gs://bucket/x", "file://relative/path", ""] {
            XCTAssertThrowsError(try ObjectStoreURI.open(bad, environment: environment), bad) { error in
                XCTAssertEqual((error as? ObjectStoreError)?.kind, .configuration, bad)
            }
        }
    }
}

final class S3ResponseParsingTests: XCTestCase {
    func testErrorDocumentBecomesCodeMessageAndRequestId() {
        let body = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>AccessDenied</Code><Message>Access Denied &amp; logged &lt;here&gt; &#233;</Message>\
            <RequestId>4442587FB7D0A2F9</RequestId><HostId>abc</HostId></Error>
            """.utf8)
        let error = S3ErrorXML(response: HTTPResponse(status: 403, headers: [:], body: body))
        XCTAssertEqual(error.code, "AccessDenied")
        XCTAssertEqual(error.message, "Access Denied & logged <here> é")
        XCTAssertEqual(error.requestId, "4442587FB7D0A2F9")

        let headOnly = S3ErrorXML(response: HTTPResponse(status: 403, headers: ["x-amz-request-id": "R1"], body: []))
        XCTAssertEqual(headOnly.code, "Forbidden")
        XCTAssertEqual(headOnly.requestId, "R1")

        let html = S3ErrorXML(response: HTTPResponse(status: 502, headers: [:], body: Array("<html>\nBad gateway\n</html>".utf8)))
        XCTAssertNil(html.code)
        XCTAssertEqual(html.message, "<html> Bad gateway </html>")
    }

    func testTimes() {
        XCTAssertEqual(S3Time.parseISO8601("2026-11-20T13:05:09.123Z"), 1_795_179_909_123)
        XCTAssertEqual(S3Time.parseISO8601("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(S3Time.parseHTTPDate("Fri, 20 Nov 2026 13:05:09 GMT"), 1_795_179_909_000)
        XCTAssertNil(S3Time.parseISO8601("yesterday"))
        XCTAssertEqual(SigV4Signer.amzDate(epochSeconds: 1_795_179_909), "20261120T130509Z")
    }

    func testRetryDelaysGrowExponentiallyWithinTheCap() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelayMillis: 100, maxDelayMillis: 1_000)
        for attempt in 1...9 {
            let ceiling = min(1_000, 100 << (attempt - 1))
            let delays = (0..<200).map { _ in policy.delayMillis(afterAttempt: attempt) }
            XCTAssertTrue(delays.allSatisfy { $0 >= 0 && $0 <= ceiling }, "attempt \(attempt)")
            XCTAssertGreaterThan(Set(delays).count, 10, "jittered, attempt \(attempt)")
        }
        XCTAssertTrue(RetryPolicy.isRetryable(status: 503, code: "SlowDown"))
        XCTAssertTrue(RetryPolicy.isRetryable(status: 500, code: nil))
        XCTAssertTrue(RetryPolicy.isRetryable(status: 400, code: "RequestTimeout"))
        XCTAssertFalse(RetryPolicy.isRetryable(status: 403, code: "SignatureDoesNotMatch"))
        XCTAssertFalse(RetryPolicy.isRetryable(status: 404, code: "NoSuchKey"))
    }
}
