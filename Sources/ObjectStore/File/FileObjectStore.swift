#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded default: objects are files under a root directory, a key's
/// `/` separators are subdirectories. Same semantics as S3 where it matters to
/// secstream: atomic writes (temporary file in the same directory, fsync,
/// rename, fsync of the directory), listings in UTF-8 byte order with
/// prefix/delimiter roll-up, delete of a missing key succeeds.
public final class FileObjectStore: ObjectStore, @unchecked Sendable {
    /// Root directory, without a trailing slash.
    public let root: String
    public var location: String { "file://\(root)/" }

    /// Names starting with this are uploads in progress; listings skip them.
    static let temporaryPrefix = ".secstream-tmp-"

    /// Opens (and creates when missing) the directory `root`.
    public init(root: String) throws {
        var trimmed = root
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed
        try makeDirectories(trimmed, operation: "open")
    }

    // MARK: put

    public func put(key: String, data: [UInt8], options: PutOptions) throws {
        let path = try filePath(for: key, operation: "PUT")
        let directory = parentDirectory(of: path)
        try makeDirectories(directory, operation: "PUT")
        let name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        let tempPath = "\(directory)/\(Self.temporaryPrefix)\(name)-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw ioError("PUT", tempPath) }
        var ok = false
        defer {
            if !ok { unlink(tempPath) }
        }
        do {
            try data.withUnsafeBytes { bytes in
                var written = 0
                while written < bytes.count {
                    let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw ioError("PUT", tempPath)
                    }
                    written += n
                }
            }
            // Durable before visible: the data reaches the disk before the
            // rename publishes it, and the rename itself is made durable by
            // syncing the directory.
            if fsync(fd) != 0 { throw ioError("PUT", tempPath) }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        if rename(tempPath, path) != 0 { throw ioError("PUT", path) }
        ok = true
        syncDirectory(directory)
    }

    // MARK: get / head

    public func get(key: String, range: ByteRange?) throws -> [UInt8] {
        let path = try filePath(for: key, operation: "GET")
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR || errno == EISDIR { throw notFound("GET", key) }
            throw ioError("GET", path)
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw ioError("GET", path) }
        if (st.st_mode & S_IFMT) != S_IFREG { throw notFound("GET", key) }
        let size = Int(st.st_size)
        var start = 0
        var end = size
        if let range {
            if range.offset >= size && !(size == 0 && range.offset == 0) {
                throw ObjectStoreError(kind: .invalidRange, operation: "GET", target: path,
                                       message: "range starts at \(range.offset) but the object has \(size) bytes")
            }
            start = range.offset
            if let length = range.length { end = min(size, start + length) }
        }
        let count = end - start
        // Read straight into uninitialized storage: zero-filling first was a
        // pass over every byte the read then overwrites (3% of a query's CPU).
        // A file that shrank under us gives what was there.
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(start + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ioError("GET", path)
                }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
    }

    public func head(key: String) throws -> ObjectInfo? {
        let path = try filePath(for: key, operation: "HEAD")
        var st = stat()
        if stat(path, &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw ioError("HEAD", path)
        }
        if (st.st_mode & S_IFMT) != S_IFREG { return nil }
        return Self.info(key: key, stat: st)
    }

    // MARK: delete

    public func delete(key: String) throws {
        let path = try filePath(for: key, operation: "DELETE")
        if unlink(path) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw ioError("DELETE", path)
        }
        // S3 has no directories: once the last object under a "folder" is
        // gone, the folder must vanish from listings too.
        var directory = parentDirectory(of: path)
        while directory.count > root.count && rmdir(directory) == 0 {
            directory = parentDirectory(of: directory)
        }
    }

    // MARK: list

    public func list(prefix: String, delimiter: String?, startAfter: String?, pageSize: Int,
                     onPage: (ListPage) throws -> Bool) throws {
        let lister = FileTreeLister(root: root, temporaryPrefix: Self.temporaryPrefix)
        let listing = try lister.list(prefix: prefix, delimiter: delimiter)
        try ListPager.page(listing, startAfter: startAfter, pageSize: max(1, pageSize), onPage: onPage,
                           prefixHasKeyAfter: { commonPrefix, startAfter in
                               try lister.list(prefix: commonPrefix, delimiter: nil).contains {
                                   startAfter.utf8.lexicographicallyPrecedes($0.sortKey.utf8)
                               }
                           })
    }

    // MARK: helpers

    static func info(key: String, stat st: stat) -> ObjectInfo {
        let millis = Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
        let etag = "\(st.st_size)-\(st.st_mtim.tv_sec)\(st.st_mtim.tv_nsec)"
        return ObjectInfo(key: key, size: Int(st.st_size), etag: etag, lastModifiedMillis: millis)
    }

    /// Maps a key to its path, refusing keys a directory tree cannot hold
    /// faithfully (S3 would accept `a//b` or `../x`; a filesystem would
    /// silently alias them).
    func filePath(for key: String, operation: String) throws -> String {
        if key.isEmpty || key.hasPrefix("/") || key.hasSuffix("/") || key.utf8.contains(0) {
            throw invalidKey(operation, key)
        }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty || segment == "." || segment == ".."
                || segment.hasPrefix(Self.temporaryPrefix) {
                throw invalidKey(operation, key)
            }
        }
        return "\(root)/\(key)"
    }

    private func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private func makeDirectories(_ directory: String, operation: String) throws {
        if mkdir(directory, 0o755) == 0 || errno == EEXIST { return }
        if errno == ENOENT {
            try makeDirectories(parentDirectory(of: directory), operation: operation)
            if mkdir(directory, 0o755) == 0 || errno == EEXIST { return }
        }
        throw ioError(operation, directory)
    }

    private func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    private func ioError(_ operation: String, _ path: String) -> ObjectStoreError {
        ObjectStoreError(kind: .io, operation: operation, target: path, code: posixErrorName(errno),
                         message: String(cString: strerror(errno)))
    }

    private func notFound(_ operation: String, _ key: String) -> ObjectStoreError {
        ObjectStoreError(kind: .notFound, operation: operation, target: "\(root)/\(key)",
                         code: "NoSuchKey", message: "no such object")
    }

    private func invalidKey(_ operation: String, _ key: String) -> ObjectStoreError {
        ObjectStoreError(kind: .invalidKey, operation: operation, target: "\(root)/\(key)",
                         message: "key must be non-empty '/'-separated names without '.', '..', empty segments or NUL")
    }
}

func posixErrorName(_ code: Int32) -> String {
    switch code {
    case ENOENT: return "ENOENT"
    case EACCES: return "EACCES"
    case ENOSPC: return "ENOSPC"
    case EROFS: return "EROFS"
    case ENOTDIR: return "ENOTDIR"
    case EISDIR: return "EISDIR"
    case EEXIST: return "EEXIST"
    default: return "errno \(code)"
    }
}
