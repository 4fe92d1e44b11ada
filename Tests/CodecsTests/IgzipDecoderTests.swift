import Foundation
import XCTest
@testable import Codecs

/// The streaming gzip decoder (ISA-L) against zlib's, fed the same input in
/// the same pieces into the same output room: the same bytes for every good
/// input, and for every bad one the same outcome (an error, or an end in the
/// middle of a member).
final class IgzipDecoderTests: XCTestCase {
    enum Outcome: Equatable {
        case decoded([UInt8])
        case truncated([UInt8])
        case failed

        var label: String {
            switch self {
            case .decoded(let b): return "decoded \(b.count) bytes"
            case .truncated(let b): return "truncated after \(b.count) bytes"
            case .failed: return "failed"
            }
        }
    }

    /// Feeds `input` to `decoder` in pieces of `inPiece` bytes, with
    /// `outPiece` bytes of room a call, draining each piece as a reader does.
    private func stream(_ decoder: StreamDecoder, _ input: [UInt8], inPiece: Int, outPiece: Int) -> Outcome {
        var out: [UInt8] = []
        var room = [UInt8](repeating: 0, count: outPiece)
        do {
            try input.withUnsafeBytes { all in
                var at = 0
                repeat {
                    let piece = UnsafeRawBufferPointer(rebasing: all[at..<min(all.count, at + inPiece)])
                    var used = 0
                    while true {
                        let (consumed, produced) = try room.withUnsafeMutableBytes {
                            try decoder.decode(UnsafeRawBufferPointer(rebasing: piece[used...]), into: $0)
                        }
                        used += consumed
                        out += room.prefix(produced)
                        if consumed == 0 && produced == 0 { break }
                    }
                    at += piece.count
                } while at < all.count
            }
        } catch {
            return .failed
        }
        return decoder.isAtFrameEnd ? .decoded(out) : .truncated(out)
    }

    private func members(_ rng: inout SystemRandomNumberGenerator, round: Int) throws -> [UInt8] {
        var packed: [UInt8] = []
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let size = Int.random(in: 0...(round % 3 == 0 ? 300_000 : 5_000), using: &rng)
            let member = Int.random(in: 0..<3, using: &rng) == 0 ? TestData.random(size)
                : Array(TestData.ndjson(lines: size / 100 + 1).prefix(size))
            packed += try Codec.compress(.gzip, member, level: Int.random(in: 1...9, using: &rng))
        }
        return packed
    }

    /// The decoder `.gz` inputs get is ISA-L's (the equality tests would pass with zlib's too).
    func testGzipInputsUseIgzip() throws {
        XCTAssertTrue(try makeStreamDecoder(.gzip) is IgzipDecoder)
    }

    func testSameBytesAsZlibInAnyPieces() throws {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<40 {
            let packed = try members(&rng, round: round)
            let inPiece = [1, 7, 4096, 65536, packed.count + 1].randomElement(using: &rng)!
            let outPiece = [1, 13, 4096, 1 << 20].randomElement(using: &rng)!
            // One-byte pieces of a large input take long through both decoders: cap them.
            let input = inPiece * outPiece < 64 && packed.count > 20_000 ? Array(packed.prefix(20_000)) : packed
            let reference = stream(try GzipDecoder(), input, inPiece: inPiece, outPiece: outPiece)
            let igzip = stream(IgzipDecoder(), input, inPiece: inPiece, outPiece: outPiece)
            XCTAssertEqual(igzip.label, reference.label, "round \(round), pieces \(inPiece)/\(outPiece)")
            XCTAssertTrue(igzip == reference, "round \(round): different bytes")
            if input.count == packed.count, case .truncated = reference { XCTFail("round \(round): zlib did not finish our own output") }
        }
    }

    func testBadInputsFailAsZlibSays() throws {
        let packed = try Codec.compress(.gzip, TestData.ndjson(lines: 800))
        var cases: [(String, [UInt8])] = [
            ("empty", []),
            ("truncated", Array(packed.prefix(packed.count - 7))),
            ("header only", Array(packed.prefix(10))),
            ("trailing garbage", packed + [0x41, 0x42, 0x43]),
            ("trailing zeros", packed + [UInt8](repeating: 0, count: 512)),
            ("second member cut", packed + packed.prefix(30)),
            ("not gzip", Array("{\"a\":1}\n".utf8)),
        ]
        for at in [0, 1, 2, 3, 12, packed.count / 3, packed.count / 2, packed.count - 8, packed.count - 5, packed.count - 2] {
            var flipped = packed
            flipped[at] ^= 0x5a
            cases.append(("byte \(at) flipped", flipped))
        }
        for (label, bad) in cases {
            for (inPiece, outPiece) in [(1 << 20, 1 << 20), (5, 4096), (4096, 3)] {
                let reference = stream(try GzipDecoder(), bad, inPiece: inPiece, outPiece: outPiece)
                let igzip = stream(IgzipDecoder(), bad, inPiece: inPiece, outPiece: outPiece)
                XCTAssertEqual(igzip.label, reference.label, "\(label), pieces \(inPiece)/\(outPiece)")
            }
        }
        // A flipped data byte is caught by the member's CRC at the latest, and named as zlib names it.
        var flipped = packed
        flipped[packed.count - 6] ^= 0x01  // inside the CRC-32 of the trailer
        XCTAssertThrowsError(try flipped.withUnsafeBytes { input in
            var room = [UInt8](repeating: 0, count: 1 << 20)
            _ = try room.withUnsafeMutableBytes { try IgzipDecoder().decode(input, into: $0) }
        }) { XCTAssertTrue("\($0)".contains("incorrect data check"), "\($0)") }
    }

    /// What `gzip` itself writes (a file name in the header) and `cat a.gz b.gz`.
    func testSystemGzipFilesAndConcatenations() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("igzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = TestData.ndjson(lines: 3000), b = TestData.random(100_000)
        try Data(a).write(to: dir.appendingPathComponent("a.ndjson"))
        try Data(b).write(to: dir.appendingPathComponent("b.bin"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "cd '\(dir.path)' && gzip -9 a.ndjson && gzip -1 b.bin && cat a.ndjson.gz b.bin.gz > both.gz"]
        try gzip.run()
        gzip.waitUntilExit()
        XCTAssertEqual(gzip.terminationStatus, 0)
        let both = [UInt8](try Data(contentsOf: dir.appendingPathComponent("both.gz")))
        XCTAssertTrue(stream(IgzipDecoder(), both, inPiece: 65536, outPiece: 1 << 20) == .decoded(a + b))
        XCTAssertTrue(stream(IgzipDecoder(), both, inPiece: 3, outPiece: 100_000) == .decoded(a + b))
    }
}
