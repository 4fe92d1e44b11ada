import Foundation
import XCTest

/// Flag values through the built binary: a malformed or out-of-range value
/// is a usage error (exit 2), one line on stderr naming the flag and saying
/// what is wrong, before any input, archive or broker is touched; never a
/// trap or a silent wrap-around.
final class OptionCLITests: XCTestCase {
    /// Nothing listens there: a run that got past its options would fail with exit 4, not 2.
    private let deadBroker = "127.0.0.1:1"

    private func assertUsageError(_ arguments: [String], flag: String, says reason: String,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLI.run(arguments, stdin: Data(), file: file, line: line)
        let what = arguments.joined(separator: " ")
        XCTAssertEqual(r.code, 2, "\(what): \(r.stderr)", file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "\(what): one line: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("secstream: "), "\(what): \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(flag), "\(what): names \(flag): \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(reason), "\(what): says '\(reason)': \(r.stderr)", file: file, line: line)
    }

    /// (A negative value goes after `=`: `--threads -1` reads as a missing value and a flag `-1`.)
    func testOutOfRangeValuesAreUsageErrorsNamingTheFlag() throws {
        let dir = try TempDir()
        let archive = dir.path("archive")
        try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
        let kafkaInput = ["process", "--input", "kafka://\(deadBroker)/events"]
        let ingest = ["ingest", "--brokers", deadBroker, "--topic", "t"]
        let cases: [([String], String, String)] = [
            // Kafka's 32-bit milliseconds, 32- and 16-bit CreateTopics fields.
            (kafkaInput + ["--session-timeout", "30d"], "--session-timeout", "more than 2147483647ms"),
            (kafkaInput + ["--session-timeout", "500ms"], "--session-timeout", "less than 1s"),
            (ingest + ["--partitions", "99999999999"], "--partitions", "more than 2147483647"),
            (ingest + ["--partitions", "0"], "--partitions", "less than 1"),
            (ingest + ["--replication-factor", "70000"], "--replication-factor", "more than 32767"),
            (ingest + ["--replication-factor=-1"], "--replication-factor", "less than 1"),
            (ingest + ["--delivery-timeout", "99999999999999999w"], "--delivery-timeout", "more than 36500d"),
            (["ingest", "--brokers", "127.0.0.1:99999", "--topic", "t"], "--brokers", "port 99999"),
            // Sizes and durations.
            (["process", "--input", "/dev/null", "--archive", archive, "--archive-flush-bytes", "0"], "--archive-flush-bytes", "less than 1"),
            (["process", "--input", "/dev/null", "--archive", archive, "--archive-flush-bytes", "6GiB"], "--archive-flush-bytes", "more than 5GiB"),
            (["process", "--input", "/dev/null", "--max-state=-512MiB"], "--max-state", "negative"),
            (["process", "--input", "/dev/null", "--archive", archive, "--archive-flush-bytes=-1"], "--archive-flush-bytes", "negative"),
            (["process", "--input", "/dev/null", "--lateness", "36501d"], "--lateness", "more than 36500d"),
            (["process", "--input", "/dev/null", "--max-future-skew", "9999999999999999999w"], "--max-future-skew", "more than 36500d"),
            (["process", "--input", "/dev/null", "--until-idle", "5300w"], "--until-idle", "more than 36500d"),
            // Counts that size threads, queues and buffers.
            (["process", "--input", "/dev/null", "--threads", "100000"], "--threads", "more than 1024"),
            (["process", "--input", "/dev/null", "--threads=-1"], "--threads", "less than 0"),
            (["process", "--input", "/dev/null", "--future-quorum", "0"], "--future-quorum", "less than 1"),
            (["replay", archive, "--parallelism", "9223372036854775807"], "--parallelism", "more than 1024"),
            (["query", archive, "--parallelism=-4"], "--parallelism", "less than 0"),
            (["query", archive, "--limit=-1"], "--limit", "less than 0"),
            (["replay", archive, "--speed", "1e-300"], "--speed", "slower than 0.001"),
            // Times outside years 0000-9999.
            (["query", archive, "--from", "99999999999999999"], "--from", "outside the years 0000-9999"),
            (["replay", archive, "--to=-99999999999999999"], "--to", "outside the years 0000-9999"),
            // The generator's arithmetic.
            (["generate", "--events", "99999999999999999"], "--events", "more than 1000000000000"),
            (["generate", "--events=-5"], "--events", "less than 0"),
            (["generate", "--rate", "1e300"], "--rate", "not 0 or a rate from 0.001"),
            (["generate", "--rate", "1e-300"], "--rate", "not 0 or a rate from 0.001"),
            (["generate", "--start", "99999999999999999"], "--start", "outside the years 0000-9999"),
            (["generate", "--span", "40000d"], "--span", "more than 36500d"),
        ]
        for (arguments, flag, reason) in cases {
            try assertUsageError(arguments, flag: flag, says: reason)
        }
    }

    func testMalformedValuesAreUsageErrorsSayingWhy() throws {
        let dir = try TempDir()
        let archive = dir.path("archive")
        try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
        let cases: [([String], String, String)] = [
            (["process", "--lateness", "soon"], "--lateness", "not a duration (e.g. 500ms, 30s"),
            (["process", "--idle-timeout", "1.5s"], "--idle-timeout", "not a duration"),
            (["process", "--commit-interval=-1s"], "--commit-interval", "negative"),
            (["process", "--max-state", "lots"], "--max-state", "not a size (e.g. 65536, 64KiB"),
            (["process", "--archive", archive, "--archive-flush-age", "soon"], "--archive-flush-age", "not a duration"),
            (["process", "--archive-compression", "zstd"], "--archive-compression", "'gzip'"),
            (["process", "--archive-sse", "DES"], "--archive-sse", "'aws:kms'"),
            (["process", "--input", "s3://bucket/archive"], "--input", "secstream replay s3://bucket/archive"),
            (["process", "--input", "kafka://a:1"], "--input", "no topic"),
            (["process", "--input", "kafka://a:1/t?compression=lz4"], "--input", "compression= applies to output topics"),
            (["process", "--alerts", "kafka://a:1/t?group=g"], "--alerts", "group= selects a consumer group"),
            (["process", "--alerts", "kafka://a:1/t?compression=brotli"], "--alerts", "'brotli' is not none, gzip"),
            (["process", "--dead-letter", "http://host/x"], "--dead-letter", "unsupported scheme 'http'"),
            (["ingest", "--brokers", "localhost", "--topic", "t"], "--brokers", "'localhost' has no port"),
            (["ingest", "--brokers", deadBroker, "--topic", "t", "--acks", "2"], "--acks", "'all'"),
            (["ingest", "--brokers", deadBroker, "--topic", "t", "--sasl-mechanism", "GSSAPI"], "--sasl-mechanism", "'PLAIN'"),
            (["query", archive, "--from", "yesterday"], "--from", "not a time (RFC 3339"),
            (["query", archive, "--format", "xml"], "--format", "'table'"),
            (["query", archive, "--select", "a,,b"], "--select", "not a comma-separated list of fields"),
            (["query", "s3:///prefix"], "<archive>", "no bucket"),
            (["replay", archive, "--speed", "fast"], "--speed", "not a positive factor or 'max'"),
            (["generate", "--scenarios", "port-scam"], "--scenarios", "unknown scenario 'port-scam'"),
            (["generate", "--max-lateness", "x"], "--max-lateness", "not a duration"),
            (["generate", "--output", "kafka://a:1/t"], "--output", "secstream ingest"),
            (["process", "--rule-cache", archive, "--no-rule-cache"], "--rule-cache", "exclude each other"),
        ]
        for (arguments, flag, reason) in cases {
            try assertUsageError(arguments, flag: flag, says: reason)
        }
    }

    /// The bounds themselves are values like any other.
    func testValuesAtTheBoundsAreAccepted() throws {
        let dir = try TempDir()
        let r = try CLI.run(["process", "--input", "/dev/null", "--lateness", "36500d", "--max-future-skew", "0",
                             "--max-state", "0", "--future-quorum", "1000000", "--threads", "2",
                             "--archive", dir.path("archive"), "--archive-flush-bytes", "5GiB", "--archive-flush-age", "0"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let g = try CLI.run(["generate", "--events", "10", "--scenarios", "none", "--start", "9999-12-31T23:00:00Z",
                             "--max-lateness", "1ms", "--rate", "1000000000"])
        XCTAssertEqual(g.code, 0, g.stderr)
        XCTAssertEqual(g.stdoutLines.count, 10)
        XCTAssertTrue(g.stdoutLines[0].contains("9999-12-31T23:"), g.stdoutLines[0])
    }
}
