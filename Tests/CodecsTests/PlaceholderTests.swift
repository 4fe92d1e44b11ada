import XCTest
@testable import Codecs
final class CodecsPlaceholderTests: XCTestCase { func testBuilds() {} }
