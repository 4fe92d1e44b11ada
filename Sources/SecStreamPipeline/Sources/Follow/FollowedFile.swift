import Codecs
import Foundation
import SecStreamCore

/// One NDJSON file followed like `tail -F`: read from its start, then what is
/// appended. At the end of its data it checks whether its path still names
/// the file it reads: after a rotation (another inode or device at the path,
/// or none) the old descriptor is read to its end, then the new file from its
/// start; after a truncation (size below the read position) the file is read
/// again from its start. A missing file is waited for. Line numbers restart
/// at 1 with each new file (and after a truncation), since they name lines of
/// what is at the path now.
///
/// Producer thread only.
final class FollowedFile {
    let path: String
    /// The watermark input of this file (its position among the inputs).
    let input: Int
    /// `SourceTable` index: dead letters and samples say `path:line`.
    let source: Int32

    /// The file being read: its descriptor and identity, and its reader once
    /// the first bytes showed it is not compressed.
    private var current: OpenFile?
    /// The previous file after a rotation or truncation, read to its end first.
    private var previous: LineChunkReader?
    /// Keeps the retired file's descriptor open while `previous` reads it.
    private var retained: OpenFile?
    private var absenceNoted = false
    /// `--ready-file`: `waiting` and `following` lines.
    private let ready: ReadinessReporter?

    /// An open descriptor with the identity it had when opened.
    private final class OpenFile {
        let fd: Int32
        let device: UInt
        let inode: UInt
        var reader: LineChunkReader?

        init(fd: Int32, device: UInt, inode: UInt) {
            self.fd = fd
            self.device = device
            self.inode = inode
        }

        deinit { close(fd) }
    }

    init(path: String, input: Int, source: Int32, ready: ReadinessReporter?) {
        self.path = path
        self.input = input
        self.source = source
        self.ready = ready
    }

    /// Bytes read so far of the file now at the path (its partial last line
    /// included); nil while there is none.
    var readOffset: Int64? {
        guard let file = current else { return nil }
        let position = lseek(file.fd, 0, SEEK_CUR)
        return position >= 0 ? Int64(position) : nil
    }

    /// The next chunk of complete lines available now, or nil when there is
    /// none yet. Throws a usage error for a compressed file (it cannot be
    /// followed) and an input error when the file cannot be read.
    func read() throws -> LineChunk? {
        if let chunk = try drainPrevious() { return chunk }
        if current == nil { try open() }
        guard let file = current else { return nil }
        if file.reader == nil { try startReading(file) }
        if let reader = file.reader, case .chunk(let chunk) = try located({ try reader.nextAvailable() }) {
            return chunk
        }
        // At the end of the data so far: is the path still this file?
        try checkReplaced(file)
        return try drainPrevious()
    }

    /// End of the run: the rest of the file, its partial last line included
    /// (as at the end of a plain file); nil once there is nothing left.
    func finish() throws -> LineChunk? {
        if let chunk = try drainPrevious() { return chunk }
        guard let reader = current?.reader else { return nil }
        if let chunk = try located({ try reader.next() }) { return chunk }
        current = nil
        return nil
    }

    /// Opens the file at `path` (from its start) if it exists; says once on
    /// stderr that it is waiting when it does not.
    func open() throws {
        // Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            guard code == ENOENT else {
                throw RunError(.input, "\(path): cannot open: \(String(cString: strerror(code)))")
            }
            if !absenceNoted {
                absenceNoted = true
                note("\(path) does not exist (yet); waiting for it")
                try ready?.report("waiting", [("path", .string(path))])
            }
            return
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let text = String(cString: strerror(errno))
            close(fd)
            throw RunError(.input, "\(path): cannot stat: \(text)")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw RunError(.usage, "\(path): not a regular file; only regular files can be followed (read a pipe without --follow)")
        }
        if absenceNoted {
            absenceNoted = false
            note("\(path) appeared; following it from its start")
        }
        current = OpenFile(fd: fd, device: UInt(st.st_dev), inode: UInt(st.st_ino))
        try startReading(current!)
        try ready?.report("following", [("path", .string(path))])
    }

    /// Creates the reader once the first bytes show the file is plain NDJSON.
    /// The magic numbers of gzip, lz4 and zstd begin with bytes no JSON line
    /// begins with, so only a file of fewer than 4 bytes starting with one of
    /// them is left to wait for more.
    private func startReading(_ file: OpenFile) throws {
        var magic = [UInt8](repeating: 0, count: 4)
        let n = magic.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress!, 4, 0) }
        guard n >= 0 else { throw RunError(.input, "\(path): read failed: \(String(cString: strerror(errno)))") }
        guard n > 0 else { return }
        let codec = CompressionCodec.detect(magic: Array(magic.prefix(n)))
        if codec != .none {
            throw RunError(.usage, "\(path): \(codec)-compressed input cannot be followed (--follow, --until-idle); only plain NDJSON files can")
        }
        if n < 4 && [0x1f, 0x04, 0x28].contains(magic[0]) { return }
        file.reader = LineChunkReader(source: ByteSourceReader(fd: file.fd, name: path), spool: OversizedLineSpool())
    }

    /// Rotation (the path names another file, or none) or truncation (the
    /// file is shorter than what was read of it): the current reader becomes
    /// `previous`, to be read to its end, and the path is opened afresh.
    private func checkReplaced(_ file: OpenFile) throws {
        var st = stat()
        if stat(path, &st) != 0 {
            guard errno == ENOENT else { return }  // e.g. EACCES for a moment: look again next time
            note("\(path) disappeared; reading what is left of it, then waiting for it to reappear")
            retire(file, truncated: false)
            absenceNoted = true
            return
        }
        if UInt(st.st_dev) != file.device || UInt(st.st_ino) != file.inode {
            note("\(path) was replaced (rotated); reading the old file to its end, then the new one from its start")
            retire(file, truncated: false)
            try open()
            return
        }
        var now = stat()
        guard fstat(file.fd, &now) == 0 else { return }
        let position = lseek(file.fd, 0, SEEK_CUR)
        if position >= 0 && Int64(now.st_size) < Int64(position) {
            note("\(path) was truncated; reading it again from its start (line numbers restart at 1)")
            retire(file, truncated: true)
            try open()
        }
    }

    /// A truncated file's old reader must not read on (the bytes at its
    /// offset are new ones): only its partial last line is left to hand over.
    private func retire(_ file: OpenFile, truncated: Bool) {
        if let reader = file.reader {
            if truncated { reader.endAtBytesRead() }
            // The reader keeps the descriptor open through `previous`.
            previous = reader
            retained = file
        }
        current = nil
    }

    private func drainPrevious() throws -> LineChunk? {
        guard let reader = previous else { return nil }
        if let chunk = try located({ try reader.next() }) { return chunk }
        previous = nil
        retained = nil
        return nil
    }

    private func located<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as RunError { throw e } catch {
            throw RunError(.input, "\(path): \(error)")
        }
    }

    private func note(_ text: String) {
        FileHandle.standardError.write(Data("secstream: \(text)\n".utf8))
    }
}
