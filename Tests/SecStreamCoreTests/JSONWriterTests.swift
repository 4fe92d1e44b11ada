import Foundation
import TestSupport
import XCTest
@testable import SecStreamCore

/// The one JSON writer: what it writes must be JSON that Foundation reads
/// back to the same text (valid UTF-8), and U+FFFD where the bytes were not UTF-8.
final class JSONWriterTests: XCTestCase {
    private func written(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { JSONWriter.string($0, into: &out) }
        return out
    }

    func testEscapesUseTheShortFormsAndUnicodeEscapesForOtherControls() {
        let text = "a\"b\\c\nd\re\tf\u{8}g\u{c}h\u{1}i\u{1f}"
        XCTAssertEqual(String(decoding: written(Array(text.utf8)), as: UTF8.self),
                       #""a\"b\\c\nd\re\tf\bg\fh\u0001i\u001f""#)
    }

    func testRandomValidUTF8RoundTripsThroughFoundation() throws {
        var rng = SplitMix(seed: 8259)  // seeded: a failure reproduces
        let alphabet: [Character] = ["a", "\"", "\\", "\n", "\u{0}", "\u{7f}", "é", "€", "😀", "\u{2028}", "\u{1f}", " "]
        for _ in 0..<500 {
            let s = String((0..<Int.random(in: 0..<40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let out = written(Array(s.utf8))
            let back = try JSONSerialization.jsonObject(with: Data(out), options: .fragmentsAllowed) as? String
            XCTAssertEqual(back, s)
        }
    }

    func testIllFormedUTF8BecomesReplacementCharactersAndStaysJSON() throws {
        let cases: [([UInt8], String)] = [
            ([0x61, 0xff, 0x62], "a\u{FFFD}b"),
            ([0xc0, 0xaf], "\u{FFFD}\u{FFFD}"),          // overlong slash
            ([0xed, 0xa0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // a surrogate
            ([0xe2, 0x82], "\u{FFFD}\u{FFFD}"),          // truncated euro sign
            ([0xf4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // past U+10FFFF
        ]
        for (bytes, expected) in cases {
            let back = try JSONSerialization.jsonObject(with: Data(written(bytes)), options: .fragmentsAllowed) as? String
            XCTAssertEqual(back, expected, "\(bytes)")
            XCTAssertFalse(bytes.withUnsafeBytes { UTF8Validation.isWellFormed($0) })
        }
        XCTAssertTrue(Array("é€😀".utf8).withUnsafeBytes { UTF8Validation.isWellFormed($0) })
    }
}
