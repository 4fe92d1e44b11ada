import XCTest
@testable import Codecs

/// Sinks writing files and `ByteSourceReader` reading them back.
final class StreamIOTests: XCTestCase {
    private func readAll(_ reader: ByteSourceReader, blockSize: Int = 1 << 20) throws -> [UInt8] {
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try reader.read(into: buffer)
            if n == 0 { return out }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    private func writeInPieces(_ sink: ByteSink, _ data: [UInt8], piece: Int) throws {
        var i = 0
        while i < data.count {
            let j = min(i + piece, data.count)
            try data[i..<j].withUnsafeBytes { try sink.write($0) }
            i = j
        }
    }

    func testOutputSinkByExtensionThenReadBackByMagic() throws {
        let data = TestData.ndjson(lines: 30_000)  // ~3 MiB
        for (ext, codec) in [("ndjson", CompressionCodec.none), ("ndjson.gz", .gzip),
                             ("ndjson.lz4", .lz4), ("ndjson.zst", .zstd)] {
            let path = TestData.tempPath("out.\(ext)")
            let sink = try openOutputSink(path, syncOnClose: true)
            try writeInPieces(sink, data, piece: 4093)
            try sink.close()
            let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            XCTAssertEqual(CompressionCodec.detect(magic: raw), codec, ext)
            let reader = try ByteSourceReader(path: path)
            XCTAssertEqual(try readAll(reader), data, ext)
            XCTAssertEqual(reader.codec, codec)
        }
    }

    func testReaderDetectsByMagicNotExtension() throws {
        let data = TestData.ndjson(lines: 200)
        let path = TestData.tempPath("misnamed.txt")
        try Data(try Codec.compress(.zstd, data)).write(to: URL(fileURLWithPath: path))
        let reader = try ByteSourceReader(path: path)
        XCTAssertEqual(try readAll(reader), data)
        XCTAssertEqual(reader.codec, .zstd)
    }

    func testReaderWithTinyBuffersAndTinyInputBuffer() throws {
        let data = TestData.ndjson(lines: 3000)
        for codec: CompressionCodec in [.none, .gzip, .lz4, .zstd] {
            let path = TestData.tempPath("tiny.\(codec)")
            try Data(try Codec.compress(codec, data)).write(to: URL(fileURLWithPath: path))
            let reader = try ByteSourceReader(path: path, inputBufferSize: 4096)
            XCTAssertEqual(try readAll(reader, blockSize: 7), data, "\(codec)")
        }
    }

    func testReaderOfConcatenatedGzipFile() throws {
        let a = TestData.ndjson(lines: 1000, seed: 1), b = TestData.ndjson(lines: 1000, seed: 2)
        let reader = ByteSourceReader(bytes: try Codec.compress(.gzip, a) + Codec.compress(.gzip, b), name: "mem")
        XCTAssertEqual(try readAll(reader, blockSize: 10_000), a + b)
    }

    func testTruncatedCompressedFileIsAnErrorNamingThePath() throws {
        for codec: CompressionCodec in [.gzip, .lz4, .zstd] {
            let packed = try Codec.compress(codec, TestData.ndjson(lines: 2000))
            let path = TestData.tempPath("truncated.\(codec)")
            try Data(packed[0..<(packed.count * 2 / 3)]).write(to: URL(fileURLWithPath: path))
            let reader = try ByteSourceReader(path: path)
            XCTAssertThrowsError(try readAll(reader), "\(codec)") { error in
                XCTAssertTrue("\(error)".contains(path), "\(error)")
                XCTAssertTrue("\(error)".contains(codec.rawValue), "\(error)")
            }
        }
    }

    func testEmptyAndTinyPlainFiles() throws {
        for content: [UInt8] in [[], [0x7b], [0x1f], [0x1f, 0x8c, 0x00]] {
            let reader = ByteSourceReader(bytes: content, name: "mem")
            XCTAssertEqual(try readAll(reader), content)
            XCTAssertEqual(reader.codec, .none)
        }
    }

    func testMissingFileIsAnErrorNamingThePath() {
        XCTAssertThrowsError(try ByteSourceReader(path: "/nonexistent/x.ndjson")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/x.ndjson"))
        }
    }

    func testReaderOnPipeReturnsDataBeforeEOF() throws {
        // A live producer: the reader must hand over what has arrived, not wait for a full block.
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let reader = ByteSourceReader(fd: fds[0], name: "<pipe>", closeOnDeinit: true)
        let first = Array(#"{"a":1}\#n"#.utf8)
        _ = first.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        XCTAssertEqual(try reader.read(into: buffer), first.count)
        close(fds[1])
        XCTAssertEqual(try reader.read(into: buffer), 0)
    }

    func testGzipSinkFlushMakesWrittenDataDecodable() throws {
        let memory = MemorySink()
        let sink = try GzipSink(wrapping: memory)
        let part = TestData.ndjson(lines: 10)
        try sink.write(part)
        try sink.flush()
        // Not closed: the member is incomplete, but everything written so far decodes.
        let reader = ByteSourceReader(bytes: memory.bytes, name: "partial")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        let n = try reader.read(into: buffer)
        XCTAssertEqual([UInt8](UnsafeRawBufferPointer(rebasing: buffer[0..<n])), part)
        try sink.close()
        XCTAssertTrue(memory.isClosed)
        XCTAssertEqual(try Codec.decompress(.gzip, memory.bytes), part)
    }

    func testFileSinkAppendAndLargeWritesBypassingBuffer() throws {
        let path = TestData.tempPath("append.ndjson")
        let big = TestData.random(3 << 20)
        let s1 = try FileSink(path: path, bufferSize: 1 << 20)
        try s1.write([1, 2, 3])
        try s1.write(big)
        try s1.close()
        let s2 = try FileSink(path: path, append: true)
        try s2.write("tail")
        try s2.close()
        XCTAssertThrowsError(try s2.write([1]))
        let back = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(back, [1, 2, 3] + big + Array("tail".utf8))
    }

    func testSnappyIsRefusedForFiles() {
        XCTAssertThrowsError(try wrapSink(MemorySink(), codec: .snappy))
    }
}
