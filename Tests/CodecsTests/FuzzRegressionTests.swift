import XCTest
@testable import Codecs

/// Inputs the libFuzzer targets (`make fuzz-libfuzzer`, Sources/Fuzz/) found,
/// minimized; the same bytes are under fixtures/fuzz/regressions/FuzzCodecs/.
final class CodecFuzzRegressionTests: XCTestCase {
    /// FuzzCodecs: nine bytes of raw snappy whose header declares 4,026,499,071
    /// uncompressed bytes made the reader allocate that much before looking at
    /// the data (libFuzzer: out-of-memory, malloc(4026499103): the bytes plus the array header).
    func testSnappyHeaderCannotDeclareMoreThanTheBlockCanHold() {
        let input: [UInt8] = [0xff, 0xff, 0xfd, 0xff, 0x0e, 0xff, 0xff, 0x7d, 0x23]
        XCTAssertThrowsError(try Codec.decompress(.snappy, input)) { error in
            XCTAssertTrue("\(error)".contains("declares 4026499071 uncompressed bytes"), "\(error)")
        }
        // The same block inside xerial framing (as Kafka's Java client writes it).
        let xerial = Snappy.xerialMagic + [0, 0, 0, 1, 0, 0, 0, 1] + [0, 0, 0, UInt8(input.count)] + input
        XCTAssertThrowsError(try Codec.decompress(.snappy, xerial))
    }

    /// The bound is not tighter than snappy itself: runs of zeros compress at
    /// the format's largest ratio (64-byte copies in 3 bytes) and still decode.
    func testSnappyAtItsLargestExpansionStillDecodes() throws {
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let compressed = try Codec.compress(.snappy, zeros)
        XCTAssertGreaterThan(zeros.count / compressed.count, 15, "zeros should compress near the format's limit")
        XCTAssertEqual(try Codec.decompress(.snappy, compressed), zeros)
    }
}
