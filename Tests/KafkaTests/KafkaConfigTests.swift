import TestSupport
import XCTest
@testable import Kafka

final class KafkaConfigTests: XCTestCase {
    func testBootstrapListParsing() throws {
        let c = try KafkaConfig(bootstrap: "a:9092, b.example:19092,[::1]:9093")
        XCTAssertEqual(c.bootstrap.map(\.host), ["a", "b.example", "::1"])
        XCTAssertEqual(c.bootstrap.map(\.port), [9092, 19092, 9093])
    }

    func testBadBootstrapIsAOneLineConfigError() {
        XCTAssertThrowsError(try KafkaConfig(bootstrap: "")) { XCTAssertTrue("\($0)".contains("empty bootstrap")) }
        XCTAssertThrowsError(try KafkaConfig(bootstrap: "host-without-port")) {
            XCTAssertEqual("\($0)", "kafka config error: bootstrap entry 'host-without-port' is not host:port")
        }
    }

    func testCompressionNamesAndProduceSupport() throws {
        XCTAssertEqual(RecordCompression(name: "LZ4"), .lz4)
        XCTAssertEqual(RecordCompression(name: "none"), RecordCompression.none)
        XCTAssertNil(RecordCompression(name: "brotli"))
        XCTAssertEqual(RecordCompression.allCases.filter { $0.minimumProduceVersion > 0 }, [.zstd])
        XCTAssertEqual(RecordCompression.zstd.minimumProduceVersion, 7)
    }

    func testConnectionRefusedNamesTheBroker() throws {
        let port = try TansuBroker.freePort() // nothing listens there
        let cfg = try KafkaConfig(bootstrap: "127.0.0.1:\(port)", connectTimeoutMs: 1000)
        XCTAssertThrowsError(try KafkaProducer(config: cfg, options: ProducerOptions(retries: 1, retryBackoffMs: 10))) {
            XCTAssertTrue("\($0)".contains("127.0.0.1:\(port)"), "\($0)")
            XCTAssertTrue("\($0)".contains("connect failed"), "\($0)")
        }
    }
}
