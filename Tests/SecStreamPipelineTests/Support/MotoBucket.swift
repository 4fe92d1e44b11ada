import ObjectStore
import XCTest

/// A fresh bucket on a test S3 server (moto) and the environment the CLI
/// reads its endpoint and credentials from: what every S3 CLI test sets up first.
struct MotoBucket {
    let environment: [String: String]
    let name: String
    /// A client of the bucket for the test's own reads and listings.
    let admin: S3ObjectStore

    /// `prefix`: the bucket name's start (a random suffix keeps runs apart).
    init(endpoint: String, prefix: String) throws {
        environment = ["AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "AKIASECSTREAMTEST01",
                       "AWS_SECRET_ACCESS_KEY": "secstream-test-secret", "AWS_REGION": "us-east-1"]
        name = "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
        admin = try XCTUnwrap(try ObjectStoreURI.open("s3://\(name)", environment: environment) as? S3ObjectStore)
        try admin.createBucket()
    }
}
