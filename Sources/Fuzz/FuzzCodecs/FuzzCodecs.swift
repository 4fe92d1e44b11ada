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
                // Again in pieces of 1 to 16 bytes, each its own allocation (member ends and headers split anywhere).
                let piece = Int(data[0] >> 2) % 16 + 1
                if let pieces = try? piecewise(IgzipDecoder(), input, piece: piece) {
                    precondition(pieces == zlib, "igzip in pieces of \(piece) differs: \(pieces.count) vs \(zlib.count) bytes")
                }
            }
            withExtendedLifetime(buffer) {}
        }
    }
    return 0
}

/// `input` decoded by `decoder` fed `piece` bytes at a time, each piece
/// copied to its own allocation; nil when the stream ends inside a member.
private func piecewise(_ decoder: StreamDecoder, _ input: [UInt8], piece: Int) throws -> [UInt8]? {
    var out: [UInt8] = []
    let room = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 1)
    defer { room.deallocate() }
    var at = 0
    while at < input.count {
        let n = min(piece, input.count - at)
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: n, alignment: 1)
        defer { copy.deallocate() }
        input.withUnsafeBytes { copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[at..<(at + n)])) }
        var used = 0
        while true {
            let (consumed, produced) = try decoder.decode(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(copy)[used...]), into: room)
            used += consumed
            out += UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(room)[..<produced])
            if consumed == 0 && produced == 0 { break }
        }
        at += n
    }
    while true {
        let (_, produced) = try decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0), into: room)
        if produced == 0 { break }
        out += UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(room)[..<produced])
    }
    return decoder.isAtFrameEnd ? out : nil
}
