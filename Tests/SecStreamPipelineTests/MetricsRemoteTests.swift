import Foundation
import ObjectStore
import TestSupport
import XCTest

/// The Kafka and S3 families from real remote systems: `ingest` to and
/// `process` from a Tansu broker, `process --archive` to moto's S3. A server
/// that does not start fails the test.
final class MetricsRemoteTests: XCTestCase {
    private func samples(_ path: String) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = v
        }
        return out
    }

    func testKafkaProduceFetchLatencyLagAndAcknowledgedRecords() throws {
        let broker = try TansuBroker()
        let dir = try TempDir()
        let events = dir.path("events.ndjson")
        XCTAssertEqual(try CLI.run(["generate", "--events", "3000", "--seed", "5", "-o", events]).code, 0)

        let ingest = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "watched", "--create-topic",
                                  "--partitions", "2", "--key", "source.ip", "--metrics-file", dir.path("ingest.prom"), events])
        XCTAssertEqual(ingest.code, 0, ingest.stderr)
        let i = try samples(dir.path("ingest.prom"))
        XCTAssertEqual(i[#"secstream_kafka_records_acknowledged_total{topic="watched"}"#], 3000)
        XCTAssertEqual(i["secstream_kafka_records_sent_total"], 3000)
        XCTAssertNil(i.keys.first { $0.hasPrefix("secstream_kafka_records_failed_total") }, "nothing failed")
        XCTAssertEqual(i[#"secstream_events_total{input="file",outcome="ok"}"#], 3000)
        XCTAssertGreaterThan(i[#"secstream_kafka_request_duration_seconds_count{api="produce"}"#] ?? 0, 0)

        let process = try CLI.run(["process", "--input", "kafka://\(broker.bootstrap)/watched", "--from-beginning",
                                   "--alerts", dir.path("alerts.ndjson"), "--metrics-file", dir.path("process.prom")])
        XCTAssertEqual(process.code, 0, process.stderr)
        let p = try samples(dir.path("process.prom"))
        XCTAssertEqual(p[#"secstream_events_total{input="kafka",outcome="ok"}"#], 3000)
        XCTAssertGreaterThan(p[#"secstream_kafka_request_duration_seconds_count{api="fetch"}"#] ?? 0, 0)
        for partition in 0..<2 {
            XCTAssertEqual(p[#"secstream_kafka_consumer_lag_records{partition="\#(partition)",topic="watched"}"#], 0,
                           "partition \(partition) read to its end")
            XCTAssertGreaterThan(p[#"secstream_input_event_time_seconds{input="kafka",partition="\#(partition)"}"#] ?? 0, 1.7e9,
                                 "partition \(partition)'s latest event time")
        }
    }

    func testS3RequestsByOperationAndStatusWithLatencyAndArchiveObjects() throws {
        let server = try LocalServer.moto()
        defer { server.stop() }
        let s3 = try MotoBucket(endpoint: server.endpointURL, prefix: "metrics")
        let environment = s3.environment, bucket = s3.name
        let dir = try TempDir()
        let events = dir.path("events.ndjson")
        XCTAssertEqual(try CLI.run(["generate", "--events", "5000", "--seed", "5", "-o", events]).code, 0)
        let r = try CLI.run(["process", "--input", events, "--archive", "s3://\(bucket)/logs", "--alerts", "/dev/null",
                             "--metrics-file", dir.path("s3.prom")], environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        XCTAssertEqual(r.code, 0, r.stderr)
        let s = try samples(dir.path("s3.prom"))
        let objects = try XCTUnwrap(s["secstream_archive_objects_written_total"])
        XCTAssertGreaterThan(objects, 0)
        XCTAssertEqual(s[#"secstream_s3_requests_total{operation="PutObject",status="200"}"#], objects,
                       "one PutObject per archive object: \(s.filter { $0.key.hasPrefix("secstream_s3") })")
        XCTAssertEqual(s[#"secstream_s3_request_duration_seconds_count{operation="PutObject"}"#], objects)
        XCTAssertNil(s.keys.first { $0.hasPrefix("secstream_s3_retries_total") }, "no retries against a healthy server")

        // A bucket that does not exist: the failed attempts are counted by status before exit 4.
        let missing = try CLI.run(["process", "--input", events, "--archive", "s3://\(bucket)-missing/logs", "--alerts", "/dev/null",
                                   "--metrics-file", dir.path("missing.prom")],
                                  environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        XCTAssertEqual(missing.code, 4, missing.stderr)
        let m = try samples(dir.path("missing.prom"))
        XCTAssertGreaterThan(m[#"secstream_s3_requests_total{operation="PutObject",status="404"}"#] ?? 0, 0,
                             "\(m.filter { $0.key.hasPrefix("secstream_s3") })")
    }
}
