import Glibc

/// Reads a file, stdin ("-"), an open descriptor or an in-memory buffer and
/// yields its *decompressed* bytes in large blocks into the caller's buffer.
/// The compression is recognised by the first bytes (gzip, LZ4 frame, zstd;
/// anything else is read as it is), whatever the file is called.
///
/// Reads from pipes return as soon as some data is there, so a live stdin is
/// not held back waiting for a full block.
public final class ByteSourceReader {
    /// The name used in errors: the path, "<stdin>", or the caller's name.
    public let name: String
    public private(set) var codec: CompressionCodec = .none

    private enum Origin {
        case descriptor(Int32, owned: Bool)
        case memory([UInt8], position: Int)
    }

    private var origin: Origin
    private var decoder: StreamDecoder?
    /// Compressed bytes read but not yet decoded (and, before the first read,
    /// the bytes peeked to detect the codec).
    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var sourceAtEOF = false
    private var detected = false

    public static let defaultInputBufferSize = 1 << 20

    /// A compressed input may expand at most this many times (once past
    /// `expansionGrace` bytes): logs compress 5–50×, deflate cannot pass
    /// ~1,032×, and a file that does is a decompression bomb (a few MB that
    /// would stream gigabytes of zeros into one endless line). It is stopped
    /// with an error instead of being read for minutes.
    public static let maxExpansionRatio = 500
    public static let expansionGrace = 256 << 20
    /// Compressed bytes handed to the decoder, and what it made of them.
    private var compressedIn = 0
    private var decompressedOut = 0
    /// Bytes read from the file or descriptor so far, compressed as they are
    /// stored: how far through a file of known size the reading is (progress).
    public private(set) var sourceBytesRead: Int64 = 0

    public convenience init(path: String, inputBufferSize: Int = ByteSourceReader.defaultInputBufferSize) throws {
        if path == "-" {
            self.init(origin: .descriptor(STDIN_FILENO, owned: false), name: "<stdin>", inputBufferSize: inputBufferSize)
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError(path: path, "cannot open: \(errnoText())") }
        self.init(origin: .descriptor(fd, owned: true), name: path, inputBufferSize: inputBufferSize)
    }

    /// Reads an already open descriptor; it is closed on deinit only when `closeOnDeinit`.
    public convenience init(fd: Int32, name: String, closeOnDeinit: Bool = false,
                            inputBufferSize: Int = ByteSourceReader.defaultInputBufferSize) {
        self.init(origin: .descriptor(fd, owned: closeOnDeinit), name: name, inputBufferSize: inputBufferSize)
    }

    /// Reads bytes already in memory (e.g. an archive object fetched whole).
    public convenience init(bytes: [UInt8], name: String) {
        self.init(origin: .memory(bytes, position: 0), name: name, inputBufferSize: 256 * 1024)
    }

    private init(origin: Origin, name: String, inputBufferSize: Int) {
        self.origin = origin
        self.name = name
        input = .allocate(byteCount: max(inputBufferSize, 4096), alignment: 16)
    }

    deinit {
        if case .descriptor(let fd, owned: true) = origin { _ = close(fd) }
        input.deallocate()
    }

    /// Fills `buffer` with the next decompressed bytes; returns how many
    /// (0 only at the end of the stream). Throws, naming the source, on an I/O
    /// error or a corrupt or truncated compressed stream.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        do {
            if !detected { try detect() }
            guard let decoder else { return try readPlain(into: buffer) }
            return try readDecoded(decoder, into: buffer)
        } catch let e as CodecError where e.context == nil {
            throw e.withContext(name)
        }
    }

    /// A followed file may grow after its end was read: the next `read` asks
    /// the descriptor again instead of reporting the end. Only uncompressed
    /// descriptors can be followed (a decoder that saw its stream end is done).
    public func resumeAfterEnd() {
        guard decoder == nil, case .descriptor = origin else { return }
        sourceAtEOF = false
    }

    /// The bytes read so far are the whole input: a followed file that was
    /// truncated must not be read on from its old offset (the bytes there are
    /// new, written from the start). Bytes already peeked are still returned.
    public func endAtBytesRead() {
        sourceAtEOF = true
    }

    /// Peeks enough bytes (4) to recognise the compression.
    private func detect() throws {
        while inputEnd < 4 && !sourceAtEOF { try fillInput() }
        codec = CompressionCodec.detect(magic: UnsafeRawBufferPointer(rebasing: input[0..<inputEnd]))
        decoder = try makeStreamDecoder(codec)
        detected = true
    }

    private func readPlain(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        // Hand over peeked bytes first, then read straight into the caller's buffer.
        if inputStart < inputEnd {
            let n = min(inputEnd - inputStart, buffer.count)
            buffer.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: n)
            inputStart += n
            return n
        }
        if sourceAtEOF { return 0 }
        let n = try readSource(into: buffer)
        if n == 0 { sourceAtEOF = true }
        return n
    }

    private func readDecoded(_ decoder: StreamDecoder, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var produced = 0
        while produced < buffer.count {
            let (used, made) = try decoder.decode(
                UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd]),
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[produced...]))
            inputStart += used
            produced += made
            compressedIn += used
            decompressedOut += made
            if decompressedOut > Self.expansionGrace && decompressedOut / max(1, compressedIn) > Self.maxExpansionRatio {
                throw CodecError(codec, "expands more than \(Self.maxExpansionRatio)× (\(decompressedOut >> 20) MiB from "
                                 + "\(compressedIn >> 10) KiB so far): a decompression bomb? Input stopped", context: name)
            }
            if used > 0 || made > 0 { continue }
            // The decoder needs more input.
            if produced > 0 { break }  // return what we have: do not block a live pipe
            if sourceAtEOF {
                guard decoder.isAtFrameEnd else {
                    throw CodecError(codec, "truncated: input ends inside a compressed frame", context: name)
                }
                return 0
            }
            let before = inputEnd - inputStart
            try fillInput()
            if inputEnd - inputStart == before && !sourceAtEOF {
                // Cannot happen with zlib/LZ4F/zstd (a full input buffer always
                // decodes), but never spin if a decoder refuses to progress.
                throw CodecError(codec, "decoder made no progress", context: name)
            }
        }
        return produced
    }

    /// Moves unread input to the front and reads more after it.
    private func fillInput() throws {
        if inputStart > 0 {
            let pending = inputEnd - inputStart
            if pending > 0 { input.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: pending) }
            inputStart = 0
            inputEnd = pending
        }
        guard inputEnd < input.count else { return }
        let n = try readSource(into: UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...]))
        if n == 0 { sourceAtEOF = true }
        inputEnd += n
    }

    private func readSource(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        switch origin {
        case .descriptor(let fd, _):
            while true {
                let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
                if n >= 0 { sourceBytesRead += Int64(n); return n }
                if errno == EINTR { continue }
                throw IOError(path: name, "read failed: \(errnoText())")
            }
        case .memory(let bytes, let position):
            let n = min(bytes.count - position, buffer.count)
            if n > 0 {
                bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
            }
            origin = .memory(bytes, position: position + n)
            sourceBytesRead += Int64(n)
            return n
        }
    }
}
