import Glibc

/// A buffered file (or stdout for "-") writer. Bytes reach the kernel when the
/// buffer fills, on `flush` and on `close`; with `syncOnClose` the file is also
/// fsynced on close, so bytes acknowledged after close survive a crash.
public final class FileSink: ByteSink {
    public let path: String
    private var fd: Int32
    private let ownsFD: Bool
    private let syncOnClose: Bool
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0

    public init(path: String, append: Bool = false, syncOnClose: Bool = false,
                bufferSize: Int = 1 << 20) throws {
        self.path = path
        self.syncOnClose = syncOnClose
        if path == "-" {
            fd = STDOUT_FILENO
            ownsFD = false
        } else {
            let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
            fd = open(path, flags, 0o644)
            guard fd >= 0 else { throw IOError(path: path, "cannot open for writing: \(errnoText())") }
            ownsFD = true
        }
        buffer = .allocate(byteCount: max(bufferSize, 4096), alignment: 16)
    }

    deinit {
        if fd >= 0 {
            // Not closed explicitly: best effort, errors have nowhere to go.
            try? flush()
            if ownsFD { _ = Glibc.close(fd) }
        }
        buffer.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw IOError(path: path, "write after close") }
        if bytes.count > buffer.count - used {
            try drain()
            // Large writes bypass the buffer instead of being copied through it.
            if bytes.count >= buffer.count {
                try writeAll(bytes)
                return
            }
        }
        (buffer.baseAddress! + used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        used += bytes.count
    }

    public func flush() throws {
        guard fd >= 0 else { return }
        try drain()
    }

    /// Flushes and fsyncs: the bytes written so far survive a crash (a Kafka
    /// offset commit that depends on them may follow). Pipes and terminals
    /// cannot be synced; for them this is a flush.
    public func sync() throws {
        guard fd >= 0 else { return }
        try drain()
        if fsync(fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP {
            throw IOError(path: path, "fsync failed: \(errnoText())")
        }
    }

    public func close() throws {
        guard fd >= 0 else { return }
        defer {
            if ownsFD { _ = Glibc.close(fd) }
            fd = -1
        }
        try drain()
        if syncOnClose && ownsFD && fsync(fd) != 0 {
            throw IOError(path: path, "fsync failed: \(errnoText())")
        }
    }

    private func drain() throws {
        guard used > 0 else { return }
        let n = used
        used = 0
        try writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(path: path, "write failed: \(errnoText())", isBrokenPipe: errno == EPIPE)
            }
            offset += n
        }
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }
