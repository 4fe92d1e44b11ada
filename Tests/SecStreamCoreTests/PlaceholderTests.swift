import XCTest
@testable import SecStreamCore
final class SecStreamCorePlaceholderTests: XCTestCase { func testBuilds() {} }
