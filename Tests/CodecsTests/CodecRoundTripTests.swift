import XCTest
@testable import Codecs

final class CodecRoundTripTests: XCTestCase {
    let codecs: [CompressionCodec] = [.none, .gzip, .lz4, .snappy, .zstd]

    func testRoundTripEverySizeAndCodec() throws {
        // The last input (~3 MiB) spans many codec blocks and the decoder's initial buffer.
        let inputs: [[UInt8]] = [[], [0x41], TestData.ndjson(lines: 50), TestData.random(100_000),
                                 Array([[UInt8]](repeating: TestData.ndjson(lines: 1500), count: 20).joined())]
        for codec in codecs {
            for input in inputs {
                let packed = try Codec.compress(codec, input)
                let unpacked = try Codec.decompress(codec, packed)
                XCTAssertEqual(unpacked, input, "\(codec) round trip of \(input.count) bytes")
            }
        }
    }

    func testCompressesRepetitiveData() throws {
        let input = TestData.ndjson(lines: 2000)
        for codec in codecs where codec != .none {
            let packed = try Codec.compress(codec, input)
            XCTAssertLessThan(packed.count, input.count / 2, "\(codec) should shrink NDJSON")
        }
    }

    func testLevelsAreHonoured() throws {
        let input = TestData.ndjson(lines: 5000)
        let fast = try Codec.compress(.gzip, input, level: 1)
        let best = try Codec.compress(.gzip, input, level: 9)
        XCTAssertLessThan(best.count, fast.count)
        XCTAssertEqual(try Codec.decompress(.gzip, best), input)
    }

    func testSizeHintSmallerOrLargerThanOutput() throws {
        let input = TestData.ndjson(lines: 3000)
        for codec: CompressionCodec in [.gzip, .lz4, .zstd] {
            let packed = try Codec.compress(codec, input)
            XCTAssertEqual(try Codec.decompress(codec, packed, sizeHint: 10), input)
            XCTAssertEqual(try Codec.decompress(codec, packed, sizeHint: input.count), input)
            XCTAssertEqual(try Codec.decompress(codec, packed, sizeHint: input.count * 3), input)
        }
    }

    func testConcatenatedGzipMembersDecodeAsOneStream() throws {
        let a = TestData.ndjson(lines: 100, seed: 1), b = TestData.ndjson(lines: 70, seed: 9)
        let joined = try Codec.compress(.gzip, a) + Codec.compress(.gzip, []) + Codec.compress(.gzip, b)
        XCTAssertEqual(try Codec.decompress(.gzip, joined), a + b)
    }

    func testConcatenatedLZ4AndZstdFrames() throws {
        let a = TestData.ndjson(lines: 100, seed: 3), b = TestData.random(5000)
        for codec: CompressionCodec in [.lz4, .zstd] {
            let joined = try Codec.compress(codec, a) + Codec.compress(codec, b)
            XCTAssertEqual(try Codec.decompress(codec, joined), a + b, "\(codec)")
        }
    }

    func testTruncatedInputIsAnErrorForEveryCodec() throws {
        let input = TestData.ndjson(lines: 500)
        for codec: CompressionCodec in [.gzip, .lz4, .snappy, .zstd] {
            let packed = try Codec.compress(codec, input)
            for cut in [1, packed.count / 2, packed.count - 1] {
                XCTAssertThrowsError(try Codec.decompress(codec, Array(packed[0..<cut])),
                                     "\(codec) cut at \(cut)") { error in
                    XCTAssertEqual((error as? CodecError)?.codec, codec)
                }
            }
        }
    }

    func testEmptyCompressedInputIsAnError() {
        for codec: CompressionCodec in [.gzip, .lz4, .snappy, .zstd] {
            XCTAssertThrowsError(try Codec.decompress(codec, [UInt8]()), "\(codec)")
        }
    }

    func testCorruptInputIsAnErrorNamingTheCodec() throws {
        let input = TestData.ndjson(lines: 500)
        for codec: CompressionCodec in [.gzip, .lz4, .zstd] {
            var packed = try Codec.compress(codec, input)
            // Flip bytes in the middle of the compressed body.
            for i in stride(from: packed.count / 3, to: packed.count * 2 / 3, by: 7) { packed[i] ^= 0x5a }
            XCTAssertThrowsError(try Codec.decompress(codec, packed), "\(codec)") { error in
                XCTAssertTrue("\(error)".hasPrefix(codec.rawValue + ":"), "\(error)")
            }
        }
        XCTAssertThrowsError(try Codec.decompress(.snappy, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]))
    }

    func testTrailingGarbageAfterLastFrameIsAnError() throws {
        for codec: CompressionCodec in [.gzip, .lz4, .zstd] {
            let packed = try Codec.compress(codec, TestData.ndjson(lines: 10)) + [0x00, 0x13, 0x37, 0x42, 0x99]
            XCTAssertThrowsError(try Codec.decompress(codec, packed), "\(codec)")
        }
    }

    /// `limit` bounds what a decompression may produce (the ratio is the
    /// sender's choice): one byte over is refused, exactly the limit is not.
    func testDecompressionStopsAtItsLimit() throws {
        let data = [UInt8](repeating: 7, count: 300_000)
        for codec in [CompressionCodec.gzip, .lz4, .zstd, .snappy, .none] {
            let packed = try Codec.compress(codec, data)
            XCTAssertEqual(try Codec.decompress(codec, packed, limit: data.count), data, "\(codec) at its limit")
            XCTAssertThrowsError(try Codec.decompress(codec, packed, limit: data.count - 1), "\(codec)") {
                XCTAssertTrue("\($0)".contains("more than \(data.count - 1)"), "\(codec): \($0)")
            }
        }
    }
}
