import XCTest
@testable import Codecs

/// Format details other parts and other tools rely on.
final class CodecFormatTests: XCTestCase {
    func testDetectByMagic() throws {
        XCTAssertEqual(CompressionCodec.detect(magic: try Codec.compress(.gzip, [1, 2, 3])), .gzip)
        XCTAssertEqual(CompressionCodec.detect(magic: try Codec.compress(.lz4, [1, 2, 3])), .lz4)
        XCTAssertEqual(CompressionCodec.detect(magic: try Codec.compress(.zstd, [1, 2, 3])), .zstd)
        XCTAssertEqual(CompressionCodec.detect(magic: Array(#"{"a":1}"#.utf8)), .none)
        XCTAssertEqual(CompressionCodec.detect(magic: [0x1f]), .none)
        XCTAssertEqual(CompressionCodec.detect(magic: []), .none)
    }

    func testCodecFromExtension() {
        XCTAssertEqual(CompressionCodec.fromExtension(path: "a/b.ndjson.gz"), .gzip)
        XCTAssertEqual(CompressionCodec.fromExtension(path: "b.GZIP"), .gzip)
        XCTAssertEqual(CompressionCodec.fromExtension(path: "b.ndjson.lz4"), .lz4)
        XCTAssertEqual(CompressionCodec.fromExtension(path: "b.zst"), .zstd)
        XCTAssertEqual(CompressionCodec.fromExtension(path: "b.ndjson"), .none)
        XCTAssertEqual(CompressionCodec.fromExtension(path: "-"), .none)
    }

    /// Kafka's Java client writes snappy in xerial blocks; build such a stream
    /// by hand from raw blocks and check it decodes to the concatenation.
    func testXerialFramedSnappyDecodes() throws {
        let parts = [TestData.ndjson(lines: 30, seed: 4), TestData.random(3000), TestData.ndjson(lines: 5, seed: 5)]
        var framed: [UInt8] = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]
        for part in parts {
            let block = try Codec.compress(.snappy, part)
            let n = UInt32(block.count)
            framed += [UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)] + block
        }
        XCTAssertEqual(try Codec.decompress(.snappy, framed), parts.flatMap { $0 })
        // A block length running past the end is an error, not a short result.
        XCTAssertThrowsError(try Codec.decompress(.snappy, Array(framed.dropLast(3))))
    }

    func testRawSnappyIsNotMistakenForXerial() throws {
        let input = TestData.ndjson(lines: 3)
        let raw = try Codec.compress(.snappy, input)
        XCTAssertNotEqual(Array(raw.prefix(8)), [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
        XCTAssertEqual(try Codec.decompress(.snappy, raw), input)
    }

    func testSystemGzipReadsOurOutputAndWeReadIts() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gzip") else {
            return XCTFail("no /usr/bin/gzip: scripts/deps.sh installs it")
        }
        let input = TestData.ndjson(lines: 1000)
        let ours = try Codec.compress(.gzip, input)
        XCTAssertEqual(try runTool("/usr/bin/gzip", ["-dc"], stdin: ours), input)
        let theirs = try runTool("/usr/bin/gzip", ["-c"], stdin: input)
        XCTAssertEqual(try Codec.decompress(.gzip, theirs), input)
    }

    func testSystemLZ4AndZstdReadOurOutput() throws {
        let input = TestData.ndjson(lines: 1000)
        for (tool, codec) in [("/usr/bin/lz4", CompressionCodec.lz4), ("/usr/bin/zstd", .zstd)] {
            guard FileManager.default.isExecutableFile(atPath: tool) else {
                XCTFail("no \(tool): scripts/deps.sh installs the lz4 and zstd tools")
                continue
            }
            XCTAssertEqual(try runTool(tool, ["-dc"], stdin: Codec.compress(codec, input)), input, tool)
            let sink = MemorySink()
            let compressing = try wrapSink(sink, codec: codec)
            try compressing.write(input)
            try compressing.close()
            XCTAssertEqual(try runTool(tool, ["-dc"], stdin: sink.bytes), input, "\(tool) on sink output")
        }
    }

    private func runTool(_ path: String, _ args: [String], stdin: [UInt8]) throws -> [UInt8] {
        let inPath = TestData.tempPath("tool-in-\(UUID().uuidString)")
        try Data(stdin).write(to: URL(fileURLWithPath: inPath))
        defer { try? FileManager.default.removeItem(atPath: inPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.standardInput = FileHandle(forReadingAtPath: inPath)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(path) failed")
        return [UInt8](out)
    }
}
