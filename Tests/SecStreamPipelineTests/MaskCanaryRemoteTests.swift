import Foundation
import ObjectStore
import SecStreamArchive
import TestSupport
import XCTest

/// The canary test over Kafka and S3: events ingested into a Tansu topic,
/// `process` from a consumer group with alerts and dead letters to topics and
/// the archive on S3 (moto), masked and client-side encrypted. No canary in
/// any record key or value, any stored object (decrypted, decompressed) or
/// the query output; the brute force still fires on the masked group.
final class MaskCanaryRemoteTests: XCTestCase {
    func testNoCanaryInKafkaTopicsOrTheEncryptedS3Archive() throws {
        let moto = try LocalServer.moto()
        defer { moto.stop() }
        let broker = try TansuBroker()
        let s3 = try MotoBucket(endpoint: moto.endpointURL, prefix: "canary")
        let environment = s3.environment, bucket = s3.name, admin = s3.admin

        let work = try ArchiveTestFiles.temporaryDirectory("mask-canary-remote")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let planted = try MaskCanaryTests.plantedInput(in: work)
        // ingest takes valid events only; the malformed canary line stays in the file test.
        let lines = try ArchiveTestFiles.lines(planted).filter { !$0.hasPrefix("{\"broken\"") }
        let input = work + "/kafka-in.ndjson"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
        try Data(("k1 " + String(repeating: "5a", count: 32) + "\n").utf8).write(to: URL(fileURLWithPath: work + "/ring"))
        for (topic, partitions) in [("alerts", 2), ("dlq", 2)] {
            try SecStreamCLI.check(["ingest", "--brokers", broker.bootstrap, "--topic", topic, "--create-topic",
                                    "--partitions", String(partitions), "/dev/null"])
        }
        try SecStreamCLI.check(["ingest", "--brokers", broker.bootstrap, "--topic", "events", "--key", "host.name",
                                "--create-topic", "--partitions", "3", input])

        let uri = "s3://\(bucket)/masked"
        try SecStreamCLI.check(["process", "--input", "kafka://\(broker.bootstrap)/events?group=canary", "--from-beginning",
                                "--until-idle", "2s", "--session-timeout", "2s", "--commit-interval", "300ms",
                                "--alerts", "kafka://\(broker.bootstrap)/alerts", "--dead-letter", "kafka://\(broker.bootstrap)/dlq",
                                "--archive", uri, "--archive-sse", "AES256", "--encrypt", work + "/ring",
                                "--mask", work + "/policy.yaml"], environment: environment)

        let maskedIP = try MaskCanaryTests.expectedMaskedIP()
        let alerts = try KafkaAlertsOutputTests.readTopic(broker, "alerts")
        XCTAssertTrue(alerts.contains { $0.value.contains("\"group\":{\"source.ip\":\"\(maskedIP)\"}") }, "no brute force on \(maskedIP)")
        MaskCanaryTests.assertNoCanary(Array(alerts.map { ($0.key ?? "") + $0.value }.joined(separator: "\n").utf8), "alerts topic")
        let dead = try KafkaAlertsOutputTests.readTopic(broker, "dlq")
        for record in dead { MaskCanaryTests.assertNoCanary(Array(((record.key ?? "") + record.value).utf8), "dead-letter topic") }

        let keyring = try ArchiveKeyring.load(path: work + "/ring", flag: "--keyring")
        let objects = try admin.listAll(prefix: "masked/").objects
        XCTAssertFalse(objects.isEmpty)
        var archivedCanaryEvents = 0
        for object in objects {
            let stored = try admin.get(key: object.key)
            XCTAssertTrue(ArchiveEnvelope.isEnvelope(stored), object.key)
            MaskCanaryTests.assertNoCanary(stored, "stored object \(object.key)")
            let lines = try ArchiveTestFiles.decompressedLines(object.key, try ArchiveEnvelope.open(stored, keyring: keyring))
            MaskCanaryTests.assertNoCanary(Array(lines.joined(separator: "\n").utf8), "object \(object.key)")
            archivedCanaryEvents += lines.filter { $0.contains(maskedIP) }.count
        }
        XCTAssertGreaterThanOrEqual(archivedCanaryEvents, 25)
        let query = try SecStreamCLI.check(["query", uri, "--keyring", work + "/ring"], environment: environment)
        MaskCanaryTests.assertNoCanary(Array(query.stdout), "query output")
        XCTAssertTrue(String(decoding: query.stdout, as: UTF8.self).contains(maskedIP))
    }
}
