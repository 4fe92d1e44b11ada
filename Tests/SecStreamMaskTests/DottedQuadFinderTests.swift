@testable import SecStreamMask
import XCTest

/// The hand-written `ipv4` finder against RE2 running the built-in pattern:
/// the same leftmost match from every start position of random texts.
final class DottedQuadFinderTests: XCTestCase {
    func testSameMatchesAsRE2FromEveryStart() {
        var rng = SystemRandomNumberGenerator()
        let regex = TextPatterns.builtin(.ipv4).regex
        let alphabet: [UInt8] = Array("0123456789....  aZ_-:/".utf8) + [0xC3, 0xA9, 0x00, 0x7F]
        var matches = 0
        for round in 0..<30_000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...16, using: &rng) {
                // Digit runs of 1 to 4, mostly between dots: matches and near misses.
                let digits = Int.random(in: 1...4, using: &rng)
                text += (0..<digits).map { _ in UInt8.random(in: 0x30...0x39, using: &rng) }
                text.append(Int.random(in: 0..<3, using: &rng) > 0 ? 0x2E : alphabet.randomElement(using: &rng)!)
                if Int.random(in: 0..<4, using: &rng) == 0 { text.removeLast() }
            }
            if round % 10 == 0 { text = Array("\(Int.random(in: 0...300, using: &rng)).\(Int.random(in: 0...300, using: &rng)).1.\(Int.random(in: 0...3000, using: &rng))".utf8) }
            matches += assertSameMatchesAsRE2(regex, { DottedQuadFinder.find(in: $0, from: $1) }, in: text)
        }
        XCTAssertGreaterThan(matches, 10_000)
    }
}
