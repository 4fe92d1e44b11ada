import TestSupport
import XCTest
@testable import SecStreamCore

/// The scanner's 64-byte-block index of string-special bytes against the
/// obvious byte loop, for line lengths around the block and word sizes (the
/// last partial block is classified differently for lines under and over 64 bytes).
final class EventStringSpecialIndexTests: XCTestCase {
    func testNextSpecialMatchesByteLoopForEveryLengthAndStart() {
        var rng = SplitMix(seed: 64)
        let specials: [UInt8] = [0x22, 0x5c, 0x00, 0x1f, 0x80, 0xff]
        for length in 0...200 {
            for _ in 0..<4 {
                // Sparse specials, so that long runs of plain bytes cross block edges.
                var line = (0..<length).map { _ in UInt8(0x20 + rng.next() % 0x5f) }
                for k in line.indices where rng.next() % 23 == 0 { line[k] = specials[Int(rng.next() % 6)] }
                // Padding after the line that would be special if it were read as part of it.
                let padded = line + [UInt8](repeating: 0x22, count: 64)
                padded.withUnsafeBufferPointer { buf in
                    var index = StringSpecialIndex(buf.baseAddress!, length)
                    for i in 0...length {
                        let expected = (i..<length).first {
                            let c = line[$0]
                            return c == 0x22 || c == 0x5c || c < 0x20 || c >= 0x80
                        } ?? length
                        XCTAssertEqual(index.next(from: i), expected, "length \(length), from \(i)")
                    }
                }
            }
        }
    }
}
