import TestSupport
import XCTest
import Codecs
@testable import SecStreamCore

final class IOLineChunkReaderTests: XCTestCase {
    /// What a line reader must produce, computed the obvious way.
    struct Expected: Equatable {
        var number: Int
        var bytes: [UInt8]?  // nil: oversized
        var length: Int
    }

    static func reference(_ input: [UInt8], maxLineLength: Int) -> [Expected] {
        var out: [Expected] = []
        var parts = input.split(separator: 0x0a, omittingEmptySubsequences: false).map { Array($0) }
        if parts.last == [] { parts.removeLast() }  // a final `\n` does not start a line
        for (i, var p) in parts.enumerated() {
            if p.last == 0x0d { p.removeLast() }
            out.append(Expected(number: i + 1, bytes: p.count > maxLineLength ? nil : p, length: p.count))
        }
        return out
    }

    static func readAll(_ reader: LineChunkReader) throws -> (lines: [Expected], chunks: [LineChunk]) {
        var lines: [Expected] = []
        var chunks: [LineChunk] = []
        while let chunk = try reader.next() {
            chunks.append(chunk)
            var count = 0
            for line in chunk {
                lines.append(Expected(number: line.number, bytes: line.isOversized ? nil : [UInt8](line.bytes),
                                      length: line.length))
                count += 1
            }
            XCTAssertEqual(count, chunk.lineCount, "chunk \(chunk.sequence) line count")
            if let first = lines.dropLast(count - 1).last { XCTAssertEqual(first.number, chunk.firstLineNumber) }
        }
        return (lines, chunks)
    }

    private func reader(_ bytes: [UInt8], chunkSize: Int, maxLineLength: Int) -> LineChunkReader {
        LineChunkReader(source: ByteSourceReader(bytes: bytes, name: "test"),
                        chunkSize: chunkSize, maxLineLength: maxLineLength)
    }

    /// Lines of many lengths (empty, CRLF, near the chunk size) so that line
    /// ends fall everywhere relative to read and chunk boundaries.
    static func mixedInput(lines: Int, seed: UInt64, maxLength: Int) -> [UInt8] {
        var rng = SplitMix(seed)
        var out: [UInt8] = []
        for _ in 0..<lines {
            let len = Int(rng.next() % UInt64(maxLength + 1))
            for _ in 0..<len { out.append(UInt8(0x61 + rng.next() % 26)) }
            if rng.next() % 5 == 0 { out.append(0x0d) }
            out.append(0x0a)
        }
        return out
    }

    func testLinesAcrossChunkBoundariesMatchReference() throws {
        for seed: UInt64 in 1...20 {
            var input = Self.mixedInput(lines: 300, seed: seed, maxLength: 90)
            if seed % 2 == 0 { input.removeLast() }  // no trailing newline
            let r = reader(input, chunkSize: 64 + Int(seed), maxLineLength: 100)
            let (lines, chunks) = try Self.readAll(r)
            XCTAssertEqual(lines, Self.reference(input, maxLineLength: 100), "seed \(seed)")
            XCTAssertGreaterThan(chunks.count, 20)
            XCTAssertEqual(chunks.map(\.sequence), Array(0..<chunks.count))
        }
    }

    func testChunksOwnTheirBytesAndKnowTheirOffsets() throws {
        let input = Self.mixedInput(lines: 500, seed: 7, maxLength: 60)
        let (_, chunks) = try Self.readAll(reader(input, chunkSize: 100, maxLineLength: 80))
        // All chunks held at once: none was overwritten by a later read.
        var rebuilt: [UInt8] = []
        for chunk in chunks {
            XCTAssertEqual(chunk.byteOffset, rebuilt.count)
            rebuilt += chunk.bytes
        }
        XCTAssertEqual(rebuilt, input)
    }

    func testBuffersAreRecycledThroughThePool() throws {
        let input = Self.mixedInput(lines: 500, seed: 8, maxLength: 60)
        let r = reader(input, chunkSize: 100, maxLineLength: 80)
        var seen = Set<UnsafeRawPointer>()
        var chunks = 0
        while let chunk = try r.next() {
            seen.insert(chunk.bytes.baseAddress!)
            chunks += 1
        }
        // Each chunk is released before the next read, so one buffer serves them all.
        XCTAssertGreaterThan(chunks, 50)
        XCTAssertEqual(seen.count, 1)
        XCTAssertEqual(r.pool.freeCount, 1)
    }

    func testChunksCanBeConsumedOnOtherThreads() throws {
        let input = Self.mixedInput(lines: 4000, seed: 9, maxLength: 120)
        let r = reader(input, chunkSize: 4096, maxLineLength: 200)
        var chunks: [LineChunk] = []
        while let c = try r.next() { chunks.append(c) }
        final class Total: @unchecked Sendable {
            let lock = NSLock()
            var value = 0
        }
        let total = Total()
        let all = chunks
        DispatchQueue.concurrentPerform(iterations: all.count) { i in
            let sum = all[i].reduce(0) { $0 + $1.length }
            total.lock.lock()
            total.value += sum
            total.lock.unlock()
        }
        XCTAssertEqual(total.value, Self.reference(input, maxLineLength: 200).reduce(0) { $0 + $1.length })
    }

    func testOversizedLinesAreReportedAndSkipped() throws {
        let big = [UInt8](repeating: 0x78, count: 1000)   // longer than a whole buffer: skipped while streaming
        let medium = [UInt8](repeating: 0x79, count: 130) // fits a buffer: flagged when iterated
        let exact = [UInt8](repeating: 0x7a, count: 100)
        var input: [UInt8] = Array("a\n".utf8) + big + [0x0a] + Array("b\n".utf8) + medium + [0x0d, 0x0a]
        input += exact + [0x0d, 0x0a] + big + [0x0d, 0x0a] + big + [0x0a] + Array("c".utf8)
        for chunkSize in [64, 150, 4096] {
            let (lines, _) = try Self.readAll(reader(input, chunkSize: chunkSize, maxLineLength: 100))
            XCTAssertEqual(lines, Self.reference(input, maxLineLength: 100), "chunk size \(chunkSize)")
            XCTAssertEqual(lines.filter { $0.bytes == nil }.map(\.number), [2, 4, 6, 7])
            XCTAssertEqual(lines.map(\.length), [1, 1000, 1, 130, 100, 1000, 1000, 1])
        }
    }

    func testOversizedLastLineWithoutNewline() throws {
        let input = Array("ok\n".utf8) + [UInt8](repeating: 0x41, count: 5000)
        let (lines, _) = try Self.readAll(reader(input, chunkSize: 64, maxLineLength: 100))
        XCTAssertEqual(lines, [Expected(number: 1, bytes: Array("ok".utf8), length: 2),
                               Expected(number: 2, bytes: nil, length: 5000)])
    }

    /// A followed file: the input arrives in pieces cut anywhere (mid-line,
    /// inside `\r\n`, inside an oversized line). Reading what is available
    /// after each piece, then the rest at the end, gives exactly the lines of
    /// reading the whole file at once, numbered across the pieces.
    func testFollowingAGrowingFileGivesTheLinesOfTheWholeFile() throws {
        for seed: UInt64 in 1...6 {
            let maxLineLength = 300
            let input = Self.mixedInput(lines: 2000, seed: seed, maxLength: 420)
            let path = NSTemporaryDirectory() + "secstream-follow-\(getpid())-\(seed).txt"
            defer { unlink(path) }
            let writer = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            let fd = open(path, O_RDONLY)
            defer { close(writer); close(fd) }
            let r = LineChunkReader(source: ByteSourceReader(fd: fd, name: path), chunkSize: 1024, maxLineLength: maxLineLength)
            var lines: [Expected] = []
            func collect(_ chunk: LineChunk) {
                for line in chunk {
                    lines.append(Expected(number: line.number, bytes: line.isOversized ? nil : [UInt8](line.bytes), length: line.length))
                }
            }
            var rng = SplitMix(seed)
            var at = 0
            var complete = 0
            while at < input.count {
                let n = min(input.count - at, 1 + Int(rng.next() % 700))
                _ = input[at..<(at + n)].withUnsafeBytes { write(writer, $0.baseAddress, n) }
                for i in at..<(at + n) where input[i] == 0x0a { complete += 1 }
                at += n
                while case .chunk(let chunk) = try r.nextAvailable() { collect(chunk) }
                // Nothing complete is held back: every line whose `\n` was written is out.
                XCTAssertEqual(lines.count, complete, "seed \(seed) after \(at) bytes")
            }
            if input.last == 0x0a {
                _ = "tail".withCString { write(writer, $0, 4) }  // a final line without its newline
            }
            while let chunk = try r.next() { collect(chunk) }
            XCTAssertEqual(lines, Self.reference(input + (input.last == 0x0a ? Array("tail".utf8) : []),
                                                 maxLineLength: maxLineLength), "seed \(seed)")
        }
    }

    /// After a truncation nothing is read on from the old offset: the
    /// partial line read so far is the last line.
    func testEndAtBytesReadHandsOverThePartialLineOnly() throws {
        let path = NSTemporaryDirectory() + "secstream-follow-trunc-\(getpid()).txt"
        defer { unlink(path) }
        try Data("one\ntw".utf8).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let r = LineChunkReader(source: ByteSourceReader(fd: fd, name: path), chunkSize: 64, maxLineLength: 100)
        guard case .chunk(let first) = try r.nextAvailable() else { return XCTFail("no chunk") }
        XCTAssertEqual(first.map { String(decoding: $0.bytes, as: UTF8.self) }, ["one"])
        guard case .notYet = try r.nextAvailable() else { return XCTFail("the partial line was handed over") }
        try Data("new content\n".utf8).write(to: URL(fileURLWithPath: path))
        r.endAtBytesRead()
        let last = try XCTUnwrap(try r.next())
        XCTAssertEqual(last.map { String(decoding: $0.bytes, as: UTF8.self) }, ["tw"])
        XCTAssertEqual(last.firstLineNumber, 2)
        XCTAssertNil(try r.next())
    }

    func testEmptyInputsAndEmptyLines() throws {
        XCTAssertNil(try reader([], chunkSize: 64, maxLineLength: 100).next())
        let (one, _) = try Self.readAll(reader([0x0a], chunkSize: 64, maxLineLength: 100))
        XCTAssertEqual(one, [Expected(number: 1, bytes: [], length: 0)])
        let (crlf, _) = try Self.readAll(reader(Array("\r\n\r\nx\r".utf8), chunkSize: 64, maxLineLength: 100))
        XCTAssertEqual(crlf.map(\.bytes), [[], [], Array("x".utf8)])
    }

    func testCompressedFilesAreRecognisedByMagicNotName() throws {
        let input = Self.mixedInput(lines: 3000, seed: 11, maxLength: 200)
        for codec: CompressionCodec in [.none, .gzip, .lz4, .zstd] {
            let path = NSTemporaryDirectory() + "secstream-io-\(getpid())-\(codec).txt"
            defer { unlink(path) }
            try Data(try Codec.compress(codec, input)).write(to: URL(fileURLWithPath: path))
            let r = try LineChunkReader(path: path, chunkSize: 8192, maxLineLength: 1 << 20)
            XCTAssertEqual(try Self.readAll(r).lines, Self.reference(input, maxLineLength: 1 << 20), "\(codec)")
        }
    }

    func testCorruptCompressedInputIsAnErrorNamingTheInput() throws {
        let packed = try Codec.compress(.gzip, Self.mixedInput(lines: 3000, seed: 12, maxLength: 100))
        let r = LineChunkReader(source: ByteSourceReader(bytes: Array(packed.prefix(packed.count / 2)), name: "events.gz"),
                                chunkSize: 4096, maxLineLength: 1000)
        XCTAssertThrowsError(try Self.readAll(r)) { error in
            XCTAssertTrue("\(error)".contains("events.gz"), "\(error)")
        }
    }

    func testFindLineEndsMatchesNewlinePositions() {
        // Also through a chunk buffer, whose table grows past its first capacity.
        // `\r\n` and a lone `\r` line: the `\r` before a `\n` is not content.
        let many = [UInt8](repeating: 0x0a, count: 10_000) + Array("\r\nx\r\n\r".utf8)
        let buffer = ChunkBuffer(capacity: many.count)
        buffer.base.copyMemory(from: many, byteCount: many.count)
        buffer.splitLines(byteCount: many.count)
        let decoded = (0..<buffer.lineEndCount).map { ChunkBuffer.decodeLineEnd(buffer.lineEnds[$0]) }
        XCTAssertEqual(decoded.map(\.next), (0..<10_000).map { $0 + 1 } + [10_002, 10_005, 10_007])
        XCTAssertEqual(decoded.map(\.contentEnd), Array(0..<10_000) + [10_000, 10_003, 10_005])

        for seed: UInt64 in 1...50 {
            var rng = SplitMix(seed)
            let bytes = (0..<Int(rng.next() % 200)).map { _ in [0x0a, 0x0b, 0x8a, 0x00, 0x41][Int(rng.next() % 5)] as UInt8 }
            var ends: [Int32] = []
            bytes.withUnsafeBytes { findLineEnds($0) { ends.append($0) } }
            var expected = bytes.indices.filter { bytes[$0] == 0x0a }.map { Int32($0) }
            if let last = bytes.last, last != 0x0a { expected.append(Int32(bytes.count)) }
            XCTAssertEqual(ends, expected, "seed \(seed)")
        }
    }
}
