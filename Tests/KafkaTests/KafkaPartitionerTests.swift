import XCTest
@testable import Kafka

final class KafkaPartitionerTests: XCTestCase {
    /// Values from Apache Kafka's UtilsTest.testMurmur2 (Java `Utils.murmur2`).
    func testMurmur2MatchesJava() {
        let cases: [(String, Int32)] = [
            ("21", -973_932_308),
            ("foobar", -790_332_482),
            ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
            ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
            ("abc", 479_470_107),
        ]
        for (key, expected) in cases {
            XCTAssertEqual(Partitioner.murmur2(Array(key.utf8)), expected, key)
        }
    }

    func testToPositiveClearsSignBitLikeJava() {
        XCTAssertEqual(Partitioner.toPositive(-1), Int32.max)
        XCTAssertEqual(Partitioner.toPositive(Int32.min), 0)
        XCTAssertEqual(Partitioner.toPositive(5), 5)
        // "21" hashes to -973932308; Java: toPositive(h) % 4
        XCTAssertEqual(Partitioner.partition(forKey: Array("21".utf8), partitions: 4), (-973_932_308 & 0x7FFF_FFFF) % 4)
    }
}
