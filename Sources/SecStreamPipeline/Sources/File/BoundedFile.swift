import Codecs
import Glibc
import SecStreamCore

/// One input of `FileLineSource`: an NDJSON file (plain, gzip, lz4, zstd — by
/// magic bytes) or stdin, read once to its end. Once open it holds one chunk
/// ahead of the pipeline (`pending`) with that chunk's first event time, what
/// the merge of several inputs orders by.
///
/// Producer thread only.
final class BoundedFile {
    /// As given: `-` for stdin.
    let path: String
    /// In errors and locations: the path, or `stdin`.
    let name: String
    /// The watermark input: the file's position among the inputs.
    let input: Int
    /// `SourceTable` index: dead letters and samples say `name:line`.
    let source: Int32
    /// The first event time found by `peek` (nil: not peeked, or no event
    /// within its first `peekLimit` bytes).
    private(set) var peekedTime: Int64?
    /// The next chunk, read when the previous one went to the pipeline.
    private(set) var pending: LineChunk?
    /// The first event time in `pending` when the merge reads times; nil when
    /// it does not, or none of the chunk's lines is an event.
    private(set) var pendingTime: Int64?

    private var bytes: ByteSourceReader?
    private var reader: LineChunkReader?
    /// What the reader had read of the file when it was closed.
    private var bytesReadBeforeClose: Int64 = 0

    /// How much of a file `peek` decodes looking for its first event: a file
    /// whose first 4 MiB hold none is opened at the start instead.
    static let peekLimit = 4 << 20

    init(path: String, input: Int, source: Int32) {
        self.path = path
        self.name = path == "-" ? "stdin" : path
        self.input = input
        self.source = source
    }

    /// A regular file can be read twice (peeked, then opened later); stdin,
    /// a pipe or a device cannot.
    var isRegularFile: Bool {
        var st = stat()
        return path != "-" && stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Bytes read of the file as stored (compressed or not): progress.
    var bytesRead: Int64 { bytes?.sourceBytesRead ?? bytesReadBeforeClose }

    /// Reads the file's first lines for its first event time (`peekedTime`),
    /// then lets it go: the merge opens it again when it reaches that time.
    /// Small buffers: a peek decodes one block or a few.
    func peek(_ times: LineTimeReader) throws {
        try located {
            let reader = LineChunkReader(source: try ByteSourceReader(path: path, inputBufferSize: 64 << 10), chunkSize: 64 << 10)
            var seen = 0
            while seen < Self.peekLimit, let chunk = try reader.next() {
                if let time = times.firstTime(in: chunk) {
                    peekedTime = time
                    return
                }
                seen += chunk.bytes.count
            }
        }
    }

    func open() throws {
        try located {
            let bytes = try ByteSourceReader(path: path)
            self.bytes = bytes
            reader = LineChunkReader(source: bytes, spool: OversizedLineSpool())
        }
    }

    /// Reads the next chunk into `pending`, and its first event time when
    /// `times` is given; false at the end of the file, which is closed then.
    func readAhead(_ times: LineTimeReader?) throws -> Bool {
        guard let reader else { return false }
        guard let chunk = try located({ try reader.next() }) else {
            bytesReadBeforeClose = bytes?.sourceBytesRead ?? 0
            self.reader = nil
            bytes = nil
            return false
        }
        pending = chunk
        pendingTime = times?.firstTime(in: chunk)
        return true
    }

    /// Hands `pending` to the pipeline.
    func take() -> LineChunk {
        defer { pending = nil; pendingTime = nil }
        return pending!
    }

    /// Errors led by the input's name, once (codec and I/O errors name it already).
    private func located<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as RunError { throw e } catch {
            let text = "\(error)"
            throw RunError(.input, text.hasPrefix(name + ":") ? text : "\(name): \(text)")
        }
    }
}
