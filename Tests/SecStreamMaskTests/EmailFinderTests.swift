@testable import SecStreamMask
import XCTest

/// The hand-written `email` finder against RE2 running the built-in pattern:
/// the same leftmost match from every start position of random texts.
final class EmailFinderTests: XCTestCase {
    func testSameMatchesAsRE2FromEveryStart() {
        var rng = SystemRandomNumberGenerator()
        let regex = TextPatterns.builtin(.email).regex
        // Bytes of every class the pattern tells apart, a UTF-8 letter and a NUL.
        let pieces: [[UInt8]] = ["a", "Zq", "x9", "@", "@", ".", ".", "-", "_", "%", "+", " ", ":", "com", "io", "q",
                                 "é", "1", "..", "a.b", "@b.cd", "u@h.org", "\u{0}"].map { Array($0.utf8) }
        var matches = 0
        for _ in 0..<30_000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) { text += pieces.randomElement(using: &rng)! }
            matches += assertSameMatchesAsRE2(regex, { EmailFinder.find(in: $0, from: $1) }, in: text)
        }
        XCTAssertGreaterThan(matches, 10_000)
    }
}
