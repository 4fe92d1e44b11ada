import XCTest
@testable import ObjectStore
final class ObjectStorePlaceholderTests: XCTestCase { func testBuilds() {} }
