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
