import Foundation
import XCTest
import TestSupport
import CZlib
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
                    // Each piece in its own allocation, as a reader's refilled buffer: a
                    // decoder that reads before the piece it is given gets other bytes.
                    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: min(all.count, at + inPiece) - at + 16, alignment: 1)
                    defer { copy.deallocate() }
                    copy.initializeMemory(as: UInt8.self, repeating: 0xa5)
                    let piece = UnsafeRawBufferPointer(rebasing: copy[16...])
                    UnsafeMutableRawBufferPointer(rebasing: copy[16...]).copyMemory(from: UnsafeRawBufferPointer(rebasing: all[at..<min(all.count, at + inPiece)]))
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

    /// The decoder `.gz` inputs get is ISA-L's (the equality tests would pass with zlib's too).
    func testGzipInputsUseIgzip() throws {
        XCTAssertTrue(try makeStreamDecoder(.gzip) is IgzipDecoder)
    }

    func testSameBytesAsZlibInAnyPieces() throws {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<40 {
            let packed = try TestData.gzipMembers(round: round, using: &rng)
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

    /// Members (empty ones too) ending anywhere in a piece, pieces down to one
    /// byte, each its own allocation: a decoder that read past a member's
    /// trailer, or before the piece it is given, gets the next member wrong.
    func testMemberEndsAtEveryPieceBoundary() throws {
        var packed: [UInt8] = []
        var plain: [UInt8] = []
        for (k, size) in [0, 1, 17, 300, 2000, 0, 5000, 64].enumerated() {
            let member = k % 2 == 0 ? Array(TestData.ndjson(lines: size / 50 + 1).prefix(size)) : TestData.random(size, seed: UInt64(k))
            packed += try Codec.compress(.gzip, member, level: k % 9 + 1)
            plain += member
        }
        for inPiece in [1, 2, 3, 5, 7, 8, 9, 11, 16, 31] {
            for outPiece in [1, 7, 100, 100_000] {
                let reference = stream(try GzipDecoder(), packed, inPiece: inPiece, outPiece: outPiece)
                XCTAssertTrue(reference == .decoded(plain), "zlib, pieces \(inPiece)/\(outPiece)")
                let igzip = stream(IgzipDecoder(), packed, inPiece: inPiece, outPiece: outPiece)
                XCTAssertEqual(igzip.label, reference.label, "pieces \(inPiece)/\(outPiece)")
                XCTAssertTrue(igzip == reference, "pieces \(inPiece)/\(outPiece): different bytes")
            }
        }
        // A next member cut inside its header is a cut member, not a clean end.
        for cut in 1...9 {
            let truncated = packed + packed.prefix(cut)
            for inPiece in [1, 4, 65536] {
                XCTAssertEqual(stream(IgzipDecoder(), truncated, inPiece: inPiece, outPiece: 4096).label,
                               stream(try GzipDecoder(), truncated, inPiece: inPiece, outPiece: 4096).label, "cut \(cut), pieces \(inPiece)")
            }
        }
    }

    /// Every optional header field (extra, name, comment, header CRC), right
    /// and wrong, in pieces down to one byte: ISA-L 2.30's own header reader
    /// failed on a name split across calls, so the decoder reads headers itself.
    func testHeaderFieldsInAnyPieces() throws {
        let plain = TestData.ndjson(lines: 400)
        let body = Array(try Codec.compress(.gzip, plain).dropFirst(10))  // deflate data and trailer
        func header(_ flags: UInt8, extra: [UInt8] = [], name: String = "", comment: String = "", crc: Bool = false, badCRC: Bool = false) -> [UInt8] {
            var h: [UInt8] = [0x1f, 0x8b, 8, flags, 0x39, 0x21, 0x54, 0x65, 2, 3]
            if flags & 0x04 != 0 { h += [UInt8(extra.count & 0xff), UInt8(extra.count >> 8)] + extra }
            if flags & 0x08 != 0 { h += Array(name.utf8) + [0] }
            if flags & 0x10 != 0 { h += Array(comment.utf8) + [0] }
            if flags & 0x02 != 0 {
                let c = UInt32(h.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) } & 0xffff) ^ (badCRC ? 1 : 0)
                h += [UInt8(c & 0xff), UInt8(c >> 8)]
            }
            return h
        }
        let cases: [(String, [UInt8])] = [
            ("plain", header(0)),
            ("name", header(0x08, name: "events-2026-12-06.ndjson")),
            ("extra", header(0x04, extra: Array(repeating: 7, count: 300))),
            ("empty extra", header(0x04)),
            ("comment", header(0x10, comment: "rotated by logrotate")),
            ("all", header(0x1e, extra: [1, 2, 3], name: "a", comment: "b", crc: true)),
            ("header crc", header(0x02)),
            ("bad header crc", header(0x0a, name: "x", badCRC: true)),
            ("reserved flag", header(0x20)),
        ]
        for (label, h) in cases {
            let member = h + body
            for inPiece in [1, 2, 3, 7, 13, 65536] {
                let reference = stream(try GzipDecoder(), member + member, inPiece: inPiece, outPiece: 4096)
                let igzip = stream(IgzipDecoder(), member + member, inPiece: inPiece, outPiece: 4096)
                XCTAssertEqual(igzip.label, reference.label, "\(label), pieces of \(inPiece)")
                XCTAssertTrue(igzip == reference, "\(label), pieces of \(inPiece): different bytes")
            }
            if !label.hasPrefix("bad") && label != "reserved flag" {
                XCTAssertTrue(stream(IgzipDecoder(), member, inPiece: 5, outPiece: 4096) == .decoded(plain), label)
            }
        }
    }

    /// What `gzip` itself writes (a file name in the header) and `cat a.gz b.gz`.
    func testSystemGzipFilesAndConcatenations() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("igzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = TestData.ndjson(lines: 3000), b = TestData.random(100_000)
        try Data(a).write(to: dir.appendingPathComponent("a.ndjson"))
        try Data(b).write(to: dir.appendingPathComponent("b.bin"))
        XCTAssertEqual(try Shell.run("cd '\(dir.path)' && gzip -9 a.ndjson && gzip -1 b.bin && cat a.ndjson.gz b.bin.gz > both.gz"), 0)
        let both = [UInt8](try Data(contentsOf: dir.appendingPathComponent("both.gz")))
        for (inPiece, outPiece) in [(65536, 1 << 20), (3, 100_000), (1, 7)] {
            let igzip = stream(IgzipDecoder(), both, inPiece: inPiece, outPiece: outPiece)
            let zlib = stream(try GzipDecoder(), both, inPiece: inPiece, outPiece: outPiece)
            XCTAssertTrue(igzip == .decoded(a + b), "pieces \(inPiece)/\(outPiece): \(igzip.label) of \(both.count) bytes, zlib \(zlib.label)")
        }
    }
}
