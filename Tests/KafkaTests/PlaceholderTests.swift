import XCTest
@testable import Kafka
final class KafkaPlaceholderTests: XCTestCase { func testBuilds() {} }
