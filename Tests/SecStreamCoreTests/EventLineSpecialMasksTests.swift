import CJSONScan
import TestSupport
import XCTest
@testable import SecStreamCore

/// The field scanner's whole-line special-byte flags (`LineSpecialMasks`) and
/// the 64-byte SSE2 classifier under them, against the obvious byte tests.
final class EventLineSpecialMasksTests: XCTestCase {
    static func isSpecial(_ c: UInt8) -> Bool { c == 0x22 || c == 0x5c || c < 0x20 || c >= 0x80 }

    /// Every byte value at every position of a block (the classifier's one
    /// signed compare of `v ^ 2` stands for three tests).
    func testSpecials64FlagsEveryByteValueAtEveryPosition() {
        for value in 0...255 {
            for pos in 0..<64 {
                var block = [UInt8](repeating: 0x61, count: 64)
                block[pos] = UInt8(value)
                block[(pos + 17) % 64] = UInt8((value + 0x21) & 0xff)
                let expected = block.indices.reduce(UInt64(0)) { Self.isSpecial(block[$1]) ? $0 | 1 << UInt64($1) : $0 }
                XCTAssertEqual(block.withUnsafeBufferPointer { secstream_json_string_specials64($0.baseAddress!) }, expected,
                               "byte \(value) at \(pos)")
            }
        }
    }

    /// `next(from:)` from every start of lines of every length to 200, with
    /// plain runs longer than the 57 flags one load yields, and the line in a
    /// buffer of exactly its length (an address sanitizer run would see a read past it).
    func testNextMatchesByteLoopForEveryLengthAndStart() {
        var rng = SplitMix(seed: 57)
        let specials: [UInt8] = [0x22, 0x5c, 0x00, 0x1f, 0x80, 0xff]
        for length in 1...200 {
            for density: UInt64 in [3, 23, 1000] {
                var line = (0..<length).map { _ in UInt8(0x20 + rng.next() % 0x5f) }
                for k in line.indices where rng.next() % density == 0 { line[k] = specials[Int(rng.next() % 6)] }
                let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: length)
                defer { buf.deallocate() }
                buf.initialize(from: line, count: length)
                let storage = UnsafeMutablePointer<UInt64>.allocate(capacity: LineSpecialMasks.blockCount(length))
                defer { storage.deallocate() }
                let masks = LineSpecialMasks(buf, length, storage: storage)
                for i in 0...length {
                    let expected = (i..<length).first { Self.isSpecial(line[$0]) } ?? length
                    XCTAssertEqual(masks.next(from: i), expected, "length \(length), from \(i)")
                }
            }
        }
    }
}
