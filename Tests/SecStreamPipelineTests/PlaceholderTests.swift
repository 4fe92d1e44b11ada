import XCTest
@testable import SecStreamPipeline
final class SecStreamPipelinePlaceholderTests: XCTestCase { func testBuilds() {} }
