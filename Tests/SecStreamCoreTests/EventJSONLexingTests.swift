import XCTest
@testable import SecStreamCore

final class EventJSONLexingTests: XCTestCase {
    /// The word-at-a-time classifier flags exactly `"`, `\`, control and
    /// non-ASCII bytes, in every lane, whatever the neighbouring lanes hold.
    func testStringSpecialMaskIsExactInEveryLane() {
        func special(_ b: UInt8) -> Bool { b == 0x22 || b == 0x5c || b < 0x20 || b >= 0x80 }
        for filler: UInt8 in [0x61, 0x00, 0xff, 0x22, 0x21, 0x5d] {
            for lane in 0..<8 {
                for b in 0...255 {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[lane] = UInt8(b)
                    let w = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    let mask = JSONLexing.stringSpecialMask(w)
                    for k in 0..<8 {
                        XCTAssertEqual(mask >> (UInt64(k) * 8 + 7) & 1 == 1, special(bytes[k]),
                                       "byte \(bytes[k]) in lane \(k), filler \(filler)")
                    }
                }
            }
        }
    }

    func testSpecialIndexFindsEveryStringEndAcrossBlocks() {
        // Strings of every length around the 64-byte block size and the line's partial tail.
        for length in [0, 1, 7, 8, 9, 55, 56, 63, 64, 65, 127, 128, 130] {
            for pad in 0..<10 {
                let line = Array(String(repeating: " ", count: pad).utf8) + Array(#"{"k":""#.utf8)
                    + [UInt8](repeating: 0x61, count: length) + Array(#""}"#.utf8)
                let schema = FieldSchema(paths: ["k"])
                var slots = [FieldSlot](repeating: .missing, count: 1)
                let result = line.withUnsafeBytes { raw in
                    slots.withUnsafeMutableBufferPointer { FieldScanner(schema: schema).scan(raw, into: $0) }
                }
                XCTAssertEqual(result, .ok)
                XCTAssertEqual(slots[0].count, length, "length \(length) pad \(pad)")
            }
        }
    }
}
