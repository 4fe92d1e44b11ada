import XCTest
@testable import SecStreamPipeline
import SecStreamCore
import Kafka

/// The parsers of the typed flag values (`Options/`): what they take, and
/// that each refusal says what was wrong.
final class OptionValueTests: XCTestCase {
    /// The reason `parse` refused `text` (fails the test when it was accepted).
    private func reason<T>(_ text: String, _ parse: (String) throws -> T,
                           file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let value = try parse(text)
            XCTFail("'\(text)' was accepted as \(value)", file: file, line: line)
            return ""
        } catch let error as OptionValueError {
            XCTAssertEqual(error.value, text, file: file, line: line)
            return error.reason
        } catch {
            XCTFail("'\(text)': \(error) is not an OptionValueError", file: file, line: line)
            return ""
        }
    }

    func testTimeSpan() throws {
        XCTAssertEqual(try TimeSpan(parsing: "500ms"), .milliseconds(500))
        XCTAssertEqual(try TimeSpan(parsing: "30s"), .seconds(30))
        XCTAssertEqual(try TimeSpan(parsing: "5m"), .minutes(5))
        XCTAssertEqual(try TimeSpan(parsing: "2d"), .days(2))
        XCTAssertEqual(try TimeSpan(parsing: "1w"), .days(7))
        XCTAssertEqual(try TimeSpan(parsing: "0"), .zero)
        XCTAssertEqual(try TimeSpan(parsing: "36500d"), TimeSpan.maximum)
        XCTAssertEqual(TimeSpan.seconds(90).description, "90s")
        XCTAssertEqual(TimeSpan.hours(1).description, "1h")
        for bad in ["", "soon", "5", "5x", "1.5s", "s", "ms"] {
            XCTAssertTrue(reason(bad, TimeSpan.init(parsing:)).hasPrefix("not a duration (e.g. 500ms"), bad)
        }
        XCTAssertTrue(reason("-5s", TimeSpan.init(parsing:)).hasPrefix("negative"))
        for tooLong in ["36501d", "5215w", "99999999999999999w"] {
            XCTAssertTrue(reason(tooLong, TimeSpan.init(parsing:)).hasPrefix("more than 36500d"), tooLong)
        }
    }

    func testByteSize() throws {
        XCTAssertEqual(try ByteSize(parsing: "65536"), ByteSize(bytes: 65536))
        XCTAssertEqual(try ByteSize(parsing: "64KiB"), .kibibytes(64))
        XCTAssertEqual(try ByteSize(parsing: "8mib"), .mebibytes(8))
        XCTAssertEqual(try ByteSize(parsing: "2G"), .gibibytes(2))
        XCTAssertEqual(try ByteSize(parsing: "0"), .zero)
        XCTAssertEqual(ByteSize.mebibytes(512).description, "512MiB")
        XCTAssertEqual(ByteSize(bytes: 1000).description, "1000")
        for bad in ["", "lots", "MiB", "8 MiB", "8TiB", "1.5MiB"] {
            XCTAssertTrue(reason(bad, ByteSize.init(parsing:)).hasPrefix("not a size (e.g. 65536"), bad)
        }
        XCTAssertTrue(reason("-1MiB", ByteSize.init(parsing:)).hasPrefix("negative"))
        XCTAssertTrue(reason("9223372036854775807GiB", ByteSize.init(parsing:)).hasPrefix("more bytes than"))
        XCTAssertTrue(reason("99999999999999999999", ByteSize.init(parsing:)).hasPrefix("more bytes than"))
    }

    func testTimestamp() throws {
        XCTAssertEqual(try Timestamp(parsing: "2026-11-20").milliseconds, 1_795_132_800_000)
        XCTAssertEqual(try Timestamp(parsing: "2026-11-20T13:00:00Z").milliseconds, 1_795_179_600_000)
        XCTAssertEqual(try Timestamp(parsing: "1795179600000").milliseconds, 1_795_179_600_000)
        XCTAssertEqual(try Timestamp(parsing: "0000-01-01").milliseconds, Timestamp.range.lowerBound.milliseconds)
        XCTAssertEqual(try Timestamp(parsing: "9999-12-31T23:59:59.999Z").milliseconds, Timestamp.range.upperBound.milliseconds)
        for bad in ["yesterday", "2026-02-30", "99999-01-01", ""] {
            XCTAssertTrue(reason(bad, Timestamp.init(parsing:)).hasPrefix("not a time"), bad)
        }
        XCTAssertEqual(reason("9223372036854775807", Timestamp.init(parsing:)), "outside the years 0000-9999")
        XCTAssertEqual(reason("-999999999999999999", Timestamp.init(parsing:)), "outside the years 0000-9999")
    }

    func testCompressionAcksAndSASL() throws {
        XCTAssertEqual(try ArchiveCompression(parsing: "LZ4"), .lz4)
        XCTAssertEqual(try ArchiveCompression(parsing: "gz"), .gzip)
        XCTAssertEqual(reason("zstd", ArchiveCompression.init(parsing:)), "not lz4 or gzip")
        XCTAssertEqual(try KafkaCompression(parsing: "ZSTD").record, .zstd)
        XCTAssertEqual(KafkaCompression.allCases.map(\.record), RecordCompression.allCases, "every name is Kafka's")
        XCTAssertEqual(reason("brotli", KafkaCompression.init(parsing:)), "not none, gzip, snappy, lz4 or zstd")
        XCTAssertEqual(try KafkaAcks(parsing: "-1").wireValue, -1)
        XCTAssertEqual(try KafkaAcks(parsing: "all"), .all)
        XCTAssertEqual(try KafkaAcks(parsing: "0").wireValue, 0)
        XCTAssertEqual(reason("2", KafkaAcks.init(parsing:)), "not all, 1 or 0")
        XCTAssertEqual(try KafkaSASLMechanism(parsing: "scram-sha-512"), .scramSHA512)
        XCTAssertEqual(reason("GSSAPI", KafkaSASLMechanism.init(parsing:)), "not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
        XCTAssertEqual(try ArchiveSSE(parsing: "aws:kms"), .kms)
        XCTAssertEqual(reason("DES", ArchiveSSE.init(parsing:)), "not AES256 or aws:kms")
        XCTAssertEqual(try QueryFormat(parsing: "CSV"), .csv)
        XCTAssertEqual(reason("xml", QueryFormat.init(parsing:)), "not ndjson, csv or table")
    }

    func testKafkaBrokersAndURIs() throws {
        let brokers = try KafkaBrokers(parsing: "a:9092, [::1]:9093")
        XCTAssertEqual(brokers.endpoints.map(\.host), ["a", "::1"])
        XCTAssertEqual(brokers.endpoints.map(\.port), [9092, 9093])
        XCTAssertTrue(reason("a", KafkaBrokers.init(parsing:)).contains("'a' has no port"))
        XCTAssertTrue(reason("a:0", KafkaBrokers.init(parsing:)).contains("port 0 of 'a:0' is not 1-65535"))
        XCTAssertTrue(reason("a:65536", KafkaBrokers.init(parsing:)).contains("is not 1-65535"))
        XCTAssertTrue(reason(":9092", KafkaBrokers.init(parsing:)).contains("':9092' has no host"))
        XCTAssertTrue(reason("a:http", KafkaBrokers.init(parsing:)).contains("'a:http' has no port"))
        XCTAssertTrue(reason("", KafkaBrokers.init(parsing:)).contains("no broker given"))

        XCTAssertEqual(try InputURI(parsing: "-"), .stdin)
        XCTAssertEqual(try InputURI(parsing: "events.ndjson.gz"), .file(path: "events.ndjson.gz"))
        XCTAssertEqual(try InputURI(parsing: "file:///tmp/a%20b.ndjson"), .file(path: "/tmp/a b.ndjson"))
        guard case .kafka(let input) = try InputURI(parsing: "kafka://a:1,b:2/t?group=g") else { return XCTFail("not kafka") }
        XCTAssertEqual(input.bootstrap, "a:1,b:2")
        XCTAssertEqual(input.group, "g")
        XCTAssertTrue(reason("s3://bucket/archive", InputURI.init(parsing:)).contains("secstream replay s3://bucket/archive"))
        XCTAssertTrue(reason("http://x/y", InputURI.init(parsing:)).contains("unsupported scheme 'http'"))
        XCTAssertTrue(reason("file://relative", InputURI.init(parsing:)).contains("file:///absolute/path"))
        XCTAssertTrue(reason("kafka://a:1/t?compression=lz4", InputURI.init(parsing:)).contains("compression= applies to output topics"))
        XCTAssertTrue(reason("kafka://a:99999/t", InputURI.init(parsing:)).contains("port 99999"))

        XCTAssertEqual(try OutputURI(parsing: "-"), .stdout)
        XCTAssertEqual(try OutputURI(parsing: "alerts.ndjson.gz"), .file(path: "alerts.ndjson.gz"))
        let output = try OutputURI(parsing: "kafka://a:1/alerts?compression=zstd")
        XCTAssertEqual(output.description, "kafka://a:1/alerts?compression=zstd")
        XCTAssertTrue(reason("kafka://a:1/t?group=g", OutputURI.init(parsing:)).contains("group= selects a consumer group"))
        XCTAssertTrue(reason("kafka://a:1/t?compression=brotli", OutputURI.init(parsing:)).contains("'brotli' is not none, gzip"))
        XCTAssertTrue(reason("kafka://a:1", OutputURI.init(parsing:)).contains("no topic"))
        XCTAssertTrue(reason("", OutputURI.init(parsing:)).hasPrefix("empty"))

        XCTAssertEqual(try ArchiveURI(parsing: "s3://bucket/a/b").location, .s3(bucket: "bucket", prefix: "a/b"))
        XCTAssertEqual(try ArchiveURI(parsing: "file:///srv/archive").location, .directory(path: "/srv/archive"))
        XCTAssertEqual(try ArchiveURI(parsing: "archive").location, .directory(path: "archive"))
        XCTAssertTrue(reason("s3:///prefix", ArchiveURI.init(parsing:)).contains("no bucket"))
        XCTAssertTrue(reason("kafka://a:1/t", ArchiveURI.init(parsing:)).contains("unsupported scheme 'kafka'"))
    }

    func testReplaySpeedFieldListAndScenarios() throws {
        XCTAssertEqual(try ReplaySpeed(parsing: "MAX"), .max)
        XCTAssertEqual(try ReplaySpeed(parsing: "600").factor, 600)
        XCTAssertEqual(try ReplaySpeed(parsing: "0.001").factor, 0.001)
        for bad in ["fast", "0", "-2", "inf", "nan"] {
            XCTAssertEqual(reason(bad, ReplaySpeed.init(parsing:)), "not a positive factor or 'max'", bad)
        }
        XCTAssertTrue(reason("1e-300", ReplaySpeed.init(parsing:)).hasPrefix("slower than 0.001"))

        XCTAssertEqual(try FieldList(parsing: "source.ip, user.name").names, ["source.ip", "user.name"])
        for bad in ["a,,b", "a,", ""] {
            XCTAssertEqual(reason(bad, FieldList.init(parsing:)), "not a comma-separated list of fields", bad)
        }
        XCTAssertEqual(try ScenarioList(parsing: "port-scan,brute-force").scenarios, [.portScan, .bruteForce])
        XCTAssertEqual(try ScenarioList(parsing: "none").scenarios, [])
        XCTAssertTrue(reason("port-scam", ScenarioList.init(parsing:)).contains("unknown scenario 'port-scam'"))
    }

    func testOptionRangeNamesTheFlagAndTheBound() throws {
        XCTAssertEqual(try OptionRange.check(5, "--n", in: 1...10), 5)
        XCTAssertThrowsError(try OptionRange.check(0, "--n", in: 1...10)) {
            XCTAssertEqual(($0 as? RunError)?.exitCode, 2)
            XCTAssertEqual(($0 as? RunError)?.message, "--n: '0' is less than 1")
        }
        XCTAssertThrowsError(try OptionRange.narrow(99_999_999_999, to: Int32.self, "--partitions", in: 1...Int32.max, because: "32-bit")) {
            XCTAssertEqual(($0 as? RunError)?.message, "--partitions: '99999999999' is more than 2147483647 (32-bit)")
        }
        XCTAssertEqual(try OptionRange.narrow(70, to: Int16.self, "--replication-factor", in: 1...Int16.max), 70)
    }
}
