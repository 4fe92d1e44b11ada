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

    /// The 64-byte classification against the byte loop it replaced (kept
    /// here as the reference): the same bytes out for random strings of every
    /// length around the block size, with quotes, backslashes, controls,
    /// DEL, valid and broken UTF-8.
    func testEscapedIsTheByteLoopsOutput() {
        func reference(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var start = 0, i = 0
            let n = bytes.count
            bytes.withUnsafeBytes { b in
                while i < n {
                    let c = b[i]
                    if c >= 0x20 && c < 0x80 && c != 0x22 && c != 0x5c { i += 1; continue }
                    if c >= 0x80 {
                        let len = UTF8Validation.sequenceLength(b, at: i)
                        if len > 0 { i += len; continue }
                        out += b[start..<i]
                        out += [0xef, 0xbf, 0xbd]
                        i += 1
                        start = i
                        continue
                    }
                    out += b[start..<i]
                    var one: [UInt8] = []
                    JSONWriter.string(UnsafeRawBufferPointer(rebasing: b[i..<(i + 1)]), into: &one)
                    out += one.dropFirst().dropLast()
                    i += 1
                    start = i
                }
                out += b[start..<n]
            }
            return out
        }
        var rng = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [[0x22], [0x5c], [0x0a], [0x01], [0x7f], [0x20], Array("é".utf8), Array("😀".utf8),
                                 [0xc3], [0xff], [0xe2, 0x82], Array("plain text ".utf8)]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            let target = Int.random(in: 0...200, using: &rng)
            while bytes.count < target {
                if Int.random(in: 0..<4, using: &rng) == 0 { bytes += pieces.randomElement(using: &rng)! }
                else { bytes.append(UInt8.random(in: 0x61...0x7a, using: &rng)) }
            }
            var out: [UInt8] = []
            bytes.withUnsafeBytes { JSONWriter.escaped($0, into: &out) }
            XCTAssertEqual(out, reference(bytes), "\(bytes)")
        }
    }
}
