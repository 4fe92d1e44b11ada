import Codecs
import Foundation
import Glibc

/// Where the reader puts the bytes of lines over its length limit as they
/// stream by, so a dead letter can still hold the whole line without it ever
/// being buffered in memory: an unlinked temporary file (gone when the
/// process ends), appended to by the reader and read back by offset.
/// Appends happen before the chunk naming the line is handed on (through the
/// pipeline's locks), so reads of a published line never race its writes.
/// The file is created at the first oversized line, so a run without one
/// touches no disk.
public final class OversizedLineSpool: @unchecked Sendable {
    private var fd: Int32 = -1
    private var size: Int64 = 0

    public init() {}

    deinit { if fd >= 0 { close(fd) } }

    private func open() throws {
        let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(dir)/secstream-oversized-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw IOError(path: dir, "cannot create a spool file for oversized lines: \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    /// Appends bytes (the caller records where they start with `end`).
    public func append(_ bytes: UnsafeRawPointer, _ count: Int) throws {
        if fd < 0 { try open() }
        var done = 0
        while done < count {
            let n = pwrite(fd, bytes + done, count - done, off_t(size))
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(path: "oversized-line spool", "cannot write: \(String(cString: strerror(errno)))")
            }
            done += n
            size += Int64(n)
        }
    }

    /// Where the next append starts.
    public var end: Int64 { size }

    /// Calls `body` with consecutive pieces (at most `blockSize` bytes) of the
    /// `length` bytes at `offset`.
    public func read(offset: Int64, length: Int, blockSize: Int = 1 << 20,
                     _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { buffer.deallocate() }
        var done = 0
        while done < length {
            let want = min(blockSize, length - done)
            let n = pread(fd, buffer, want, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(path: "oversized-line spool", "cannot read: \(String(cString: strerror(errno)))")
            }
            guard n > 0 else { throw IOError(path: "oversized-line spool", "ended early") }
            try body(UnsafeRawBufferPointer(start: buffer, count: n))
            done += n
        }
    }
}
