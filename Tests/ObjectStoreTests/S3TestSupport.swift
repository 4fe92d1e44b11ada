import Foundation
import TestSupport
@testable import ObjectStore

enum S3TestSupport {
    static let accessKey = "AKIASECSTREAMTEST01"
    static let secretKey = "secstream/test+secret=key0123456789abcd"

    /// A configuration pointing at a local server, path-style, with quick
    /// retries so fault tests stay fast.
    static func configuration(port: Int, accessKey: String = accessKey, secretKey: String = secretKey,
                              sessionToken: String? = nil) -> S3Configuration {
        var configuration = S3Configuration(
            credentials: AWSCredentials(accessKeyId: accessKey, secretAccessKey: secretKey, sessionToken: sessionToken),
            region: "us-east-1",
            endpoint: S3Endpoint(scheme: "http", host: "127.0.0.1", port: port, addressing: .path))
        configuration.retry = RetryPolicy(maxAttempts: 6, baseDelayMillis: 5, maxDelayMillis: 50)
        return configuration
    }

    /// A fresh bucket name per test: tests share one server.
    static func bucketName(_ test: String) -> String {
        let cleaned = test.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(40)
        return "t-\(cleaned)-\(UInt32.random(in: 0...UInt32.max))"
    }

    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix(seed: seed)
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        while bytes.count < count {
            var word = random.next()
            for _ in 0..<8 where bytes.count < count {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return bytes
    }
}
