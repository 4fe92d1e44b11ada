import XCTest
@testable import Codecs

/// The whole-buffer gzip path (libdeflate) against the zlib stream decoder:
/// same bytes for every good input, the same error for every bad one.
final class WholeGzipTests: XCTestCase {
    struct Failure: Error, Equatable { let text: String }

    /// A result short enough to print: the length and a checksum, or the error.
    private func summary(_ r: Result<[UInt8], Failure>) -> String {
        switch r {
        case .success(let bytes): return "\(bytes.count) bytes, fnv \(bytes.reduce(UInt64(14695981039346656037)) { ($0 ^ UInt64($1)) &* 1099511628211 })"
        case .failure(let f): return f.text
        }
    }

    /// zlib's streaming decode of `input`: the reference.
    private func zlib(_ input: [UInt8], limit: Int = .max) -> Result<[UInt8], Failure> {
        do {
            let buffer = DecompressionBuffer(capacity: 4096)
            let bytes = try withExtendedLifetime(buffer) {
                try input.withUnsafeBytes { [UInt8](try buffer.decode(GzipDecoder(), .gzip, $0, limit: limit)) }
            }
            return .success(bytes)
        } catch { return .failure(Failure(text: "\(error)")) }
    }

    private func whole(_ input: [UInt8], limit: Int = .max, buffer: DecompressionBuffer = DecompressionBuffer(capacity: 4096)) -> Result<[UInt8], Failure> {
        do {
            return .success(try withExtendedLifetime(buffer) {
                try input.withUnsafeBytes { [UInt8](try buffer.decodeGzip($0, limit: limit)) }
            })
        } catch { return .failure(Failure(text: "\(error)")) }
    }

    /// libdeflate actually ran (the fallback alone would pass the equality tests).
    func testGoodInputIsDecodedByLibdeflate() throws {
        let input = TestData.ndjson(lines: 2000)
        let packed = try Codec.compress(.gzip, input)
        let buffer = DecompressionBuffer(capacity: 4096)
        let made = try packed.withUnsafeBytes { try DeflateDecompressor().decode($0, into: buffer, limit: .max) }
        XCTAssertEqual(made, input.count)
        XCTAssertTrue(withExtendedLifetime(buffer) { [UInt8](UnsafeRawBufferPointer(start: buffer.storage, count: made ?? 0)) == input })
        // A corrupt input is refused by libdeflate (nil), for zlib to name.
        var bad = packed
        bad[bad.count / 2] ^= 0xff
        XCTAssertNil(try bad.withUnsafeBytes { try DeflateDecompressor().decode($0, into: buffer, limit: .max) })
    }

    func testSameBytesAsZlibOnRandomInputsAndMembers() throws {
        var rng = SystemRandomNumberGenerator()
        let buffer = DecompressionBuffer(capacity: 4096)  // reused, as a query worker does
        for round in 0..<60 {
            let packed = try TestData.gzipMembers(round: round, using: &rng)
            let reference = zlib(packed)
            guard case .success = reference else { return XCTFail("round \(round): zlib failed on our own output") }
            XCTAssertEqual(summary(whole(packed, buffer: buffer)), summary(reference), "round \(round)")
            XCTAssertTrue(try Codec.decompress(.gzip, packed) == reference.get(), "round \(round)")
        }
    }

    func testSystemGzipMultiMemberOutput() throws {
        let a = TestData.ndjson(lines: 300), b = TestData.random(70_000)
        let packed = try Codec.compress(.gzip, a) + Codec.compress(.gzip, []) + Codec.compress(.gzip, b)
        XCTAssertTrue(try whole(packed).get() == a + b)
    }

    func testBadInputsFailAsZlibSaysTheyDo() throws {
        let input = TestData.ndjson(lines: 800)
        let packed = try Codec.compress(.gzip, input)
        var cases: [(String, [UInt8])] = [
            ("truncated", Array(packed.prefix(packed.count - 7))),
            ("trailing garbage", packed + [0x41, 0x42, 0x43]),
            ("second member cut", packed + packed.prefix(30)),
            ("header only", Array(packed.prefix(10))),
        ]
        for at in [0, 3, 12, packed.count / 2, packed.count - 8, packed.count - 2] {
            var flipped = packed
            flipped[at] ^= 0x5a
            cases.append(("byte \(at) flipped", flipped))
        }
        for (label, bad) in cases {
            let reference = zlib(bad)
            XCTAssertEqual(summary(whole(bad)), summary(reference), label)
            if case .success = reference { XCTFail("\(label): expected an error") }
        }
    }

    /// A trailer that lies about the length (the room reserved from it) still
    /// decodes right: too small regrows, too large is capped by the input.
    func testLyingLengthTrailer() throws {
        let input = TestData.ndjson(lines: 3000)
        let packed = try Codec.compress(.gzip, input)
        for stated: UInt32 in [0, 1, 1000, UInt32.max] {
            var lying = packed
            withUnsafeBytes(of: stated.littleEndian) { lying.replaceSubrange(lying.count - 4..<lying.count, with: $0) }
            // The length is checked after decoding: both decoders refuse the member.
            XCTAssertEqual(summary(whole(lying)), summary(zlib(lying)), "stated \(stated)")
        }
        // A small first member with a large one after it: the first's room is the last's length.
        let small = try Codec.compress(.gzip, TestData.ndjson(lines: 5))
        let big = Array(TestData.ndjson(lines: 20_000))
        XCTAssertTrue(try whole(try Codec.compress(.gzip, big) + small).get() == big + TestData.ndjson(lines: 5))
    }

    func testLimitRefusesABombLikeZlib() throws {
        let bomb = try Codec.compress(.gzip, [UInt8](repeating: 0, count: 4 << 20))
        for limit in [0, 1000, (4 << 20) - 1] {
            guard case .failure(let failure) = whole(bomb, limit: limit) else { return XCTFail("limit \(limit) not enforced") }
            let why = failure.text
            XCTAssertTrue(why.contains("more than \(limit) bytes"), why)
            XCTAssertThrowsError(try Codec.decompress(.gzip, bomb, limit: limit))
        }
        XCTAssertEqual(try whole(bomb, limit: 4 << 20).get().count, 4 << 20)
    }

    /// Buffers from 2 MiB on are mapped on their own with huge pages asked
    /// for (`DecodeMemory`): growing across that size, and decoding object
    /// after object into the grown buffer, keeps every byte, for libdeflate
    /// and for the stream decoders alike.
    func testBuffersGrowingPastTheMappedSizeKeepTheirBytes() throws {
        let big = TestData.ndjson(lines: 60_000)  // ~6 MB: grows 4 KiB -> mapped
        XCTAssertGreaterThan(big.count, 2 * DecodeMemory.hugeThreshold)
        let small = TestData.ndjson(lines: 300, seed: 9)
        let buffer = DecompressionBuffer(capacity: 4096)
        for (round, input) in [big, small, big].enumerated() {
            for codec in [CompressionCodec.gzip, .zstd, .lz4] {
                let packed = try Codec.compress(codec, input)
                let decoded: [UInt8] = try withExtendedLifetime(buffer) {
                    try packed.withUnsafeBytes { packed in
                        codec == .gzip ? [UInt8](try buffer.decodeGzip(packed))
                                       : [UInt8](try buffer.decode(try makeStreamDecoder(codec)!, codec, packed))
                    }
                }
                XCTAssertEqual(decoded, input, "round \(round), \(codec)")
            }
        }
        XCTAssertGreaterThanOrEqual(buffer.capacity, big.count)
        // The mapping itself: aligned to 2 MiB, writable to its last byte, unmapped on release.
        let mapped = DecodeMemory.allocate(DecodeMemory.hugeThreshold + 12345)
        XCTAssertEqual(Int(bitPattern: mapped) % (2 << 20), 0)
        mapped.storeBytes(of: 0xAB, toByteOffset: DecodeMemory.hugeThreshold + 12344, as: UInt8.self)
        XCTAssertEqual(mapped.load(fromByteOffset: DecodeMemory.hugeThreshold + 12344, as: UInt8.self), 0xAB)
        DecodeMemory.deallocate(mapped, DecodeMemory.hugeThreshold + 12345)
    }
}
