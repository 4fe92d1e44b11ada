// libFuzzer target: the gzip, LZ4 frame, zstd and snappy (raw and xerial)
// readers. Byte 0 picks the codec; the rest is the compressed input, decoded
// whole (`Codec.decompress`, as for Kafka batches and archive objects) and,
// for the stream codecs, through `ByteSourceReader` in small reads (as for
// input files, where the codec is recognised by its magic bytes); gzip
// streams also through zlib, the reference for ISA-L's stream decoder.
import Codecs

private let codecs: [CompressionCodec] = [.gzip, .lz4, .zstd, .snappy]
private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4093, alignment: 1)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCodecs(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size >= 1 else { return 0 }
    let codec = codecs[Int(data[0]) % codecs.count]
    let input = [UInt8](UnsafeRawBufferPointer(start: data + 1, count: size - 1))
    let whole = try? Codec.decompress(codec, input)
    if codec != .snappy {
        let reader = ByteSourceReader(bytes: input, name: "fuzz")
        var streamed: [UInt8] = []
        var failed = false
        while true {
            do {
                let n = try reader.read(into: readBuffer)
                if n == 0 { break }
                precondition(n > 0 && n <= readBuffer.count)
                streamed.append(contentsOf: UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]))
            } catch {
                failed = true
                break
            }
        }
        // A stream that decodes cleanly both ways must give the same bytes.
        if let whole, !failed, reader.codec == codec {
            precondition(whole == streamed, "whole and streamed decodes differ: \(whole.count) vs \(streamed.count) bytes")
        }
        // gzip streams through ISA-L, whole buffers through libdeflate: zlib is
        // the reference for both. Where it decodes too, the same bytes (it
        // refuses some streams the others take, such as incomplete Huffman codes).
        if codec == .gzip, !failed, reader.codec == .gzip {
            let buffer = DecompressionBuffer(capacity: 4096)
            if let zlib = try? input.withUnsafeBytes({ [UInt8](try buffer.decode(GzipDecoder(), .gzip, $0, limit: 1 << 26)) }) {
                precondition(zlib == streamed, "zlib and igzip decodes differ: \(zlib.count) vs \(streamed.count) bytes")
            }
            withExtendedLifetime(buffer) {}
        }
    }
    return 0
}
