@testable import SecStreamMask
import XCTest

/// Holds a hand-written finder to RE2 running the built-in pattern it
/// replaces: the same leftmost match from every start position of `text`.
/// Returns how many starts matched (so a test can check it saw matches).
func assertSameMatchesAsRE2(_ regex: Regex, _ find: (UnsafeRawBufferPointer, Int) -> Range<Int>?, in text: [UInt8],
                            file: StaticString = #filePath, line: UInt = #line) -> Int {
    var matches = 0
    text.withUnsafeBytes { bytes in
        for start in 0...bytes.count {
            let expected = regex.find(in: bytes, from: start)
            if expected != nil { matches += 1 }
            XCTAssertEqual(find(bytes, start), expected, "\(Array(bytes)) from \(start)", file: file, line: line)
        }
    }
    return matches
}
