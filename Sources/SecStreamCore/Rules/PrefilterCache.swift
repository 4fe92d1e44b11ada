import CHyperscan
import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The prefilter's compiled Hyperscan databases, kept on disk between runs
/// (`--rule-cache DIR`): compiling the literals of a large pack (the SigmaHQ
/// Windows rules: about 20,000 needles, two fields with thousands each) was
/// the largest part of its load, and a cron job or a replay loads the same
/// pack again and again. Suricata caches its Hyperscan databases the same way.
///
/// One file per database, named by a 128-bit hash of what was compiled: the
/// Hyperscan version and this host's platform, the mode, and every needle's
/// flags, id and bytes. The file holds that whole specification and the
/// serialized database; a file is used only when its specification equals
/// the one at hand byte for byte (a hash collision cannot load the wrong
/// database), and Hyperscan checks the database's own checksum and platform
/// on deserialisation. Anything unreadable, stale or corrupt is compiled
/// afresh and rewritten (write to a temporary file, then rename).
///
/// A deserialised database is trusted code for Hyperscan's scanner, so the
/// directory must belong to this user and be writable by nobody else (as ssh
/// demands of `~/.ssh`); otherwise the cache is not used.
public struct PrefilterCache: Sendable {
    public let directory: String

    /// The file's first bytes (the format's version is in them).
    private static let magic = Array("secstream-hs-cache-1\n".utf8)
    /// Larger files are not read (the SigmaHQ pack's largest database is a few MiB).
    private static let maxFileBytes = 256 << 20

    /// Creates `directory` (mode 0700) when missing. Throws when it cannot be
    /// created or is writable by another user.
    public init(directory: String) throws {
        self.directory = directory
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            // A missing parent: create the whole path.
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw CacheError("\(directory) is not a directory")
        }
        guard info.st_uid == geteuid() else { throw CacheError("\(directory) belongs to another user") }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else { throw CacheError("\(directory) is writable by others") }
    }

    public struct CacheError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// `$XDG_CACHE_HOME/secstream`, else `$HOME/.cache/secstream`; nil without either.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/secstream" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/secstream" }
        return nil
    }

    /// What identifies a database: Hyperscan's version, this host's platform,
    /// the mode, and the needles as `hs_compile_lit_multi` gets them.
    static func specification(flags: [UInt32], ids: [UInt32], literals: [[UInt8]], mode: UInt32) -> [UInt8] {
        var spec = Array(String(cString: hs_version()).utf8)
        spec.append(0)
        var platform = hs_platform_info_t()
        if hs_populate_platform(&platform) == HS_SUCCESS {
            withUnsafeBytes(of: &platform) { spec += $0 }
        }
        func put(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { spec += $0 } }
        put(mode)
        put(UInt32(literals.count))
        for k in literals.indices {
            put(flags[k]); put(ids[k]); put(UInt32(literals[k].count))
            spec += literals[k]
        }
        return spec
    }

    private func path(_ spec: [UInt8]) -> String {
        var h = StableHash128()
        spec.withUnsafeBytes { h.add(field: $0) }
        let (a, b) = h.finish()
        return directory + "/" + String(format: "%016llx%016llx", a, b) + ".hsdb"
    }

    /// A file no run has used for this long is deleted when a new one is
    /// written: packs change, and each left a few megabytes behind for good.
    static let unusedLifetime: TimeInterval = 30 * 24 * 3600

    /// The database compiled from `spec`, if a valid file holds it. A file
    /// used is touched, so its age says when a run last needed it.
    func load(_ spec: [UInt8]) -> OpaquePointer? {
        let file = path(spec)
        guard let data = FileManager.default.contents(atPath: file), data.count <= PrefilterCache.maxFileBytes else { return nil }
        let db = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> OpaquePointer? in
            var at = 0
            func take(_ n: Int) -> UnsafeRawBufferPointer? {
                guard n >= 0, raw.count - at >= n else { return nil }
                defer { at += n }
                return UnsafeRawBufferPointer(rebasing: raw[at..<(at + n)])
            }
            func length() -> Int? { take(8).map { Int(truncatingIfNeeded: UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) } }
            guard let magic = take(PrefilterCache.magic.count), magic.elementsEqual(PrefilterCache.magic),
                  let specLength = length(), let stored = take(specLength), stored.elementsEqual(spec),
                  let dbLength = length(), let bytes = take(dbLength), at == raw.count, let base = bytes.baseAddress
            else { return nil }
            var db: OpaquePointer?
            guard hs_deserialize_database(base.assumingMemoryBound(to: CChar.self), bytes.count, &db) == HS_SUCCESS else { return nil }
            return db
        }
        if db != nil { utimes(file, nil) }
        return db
    }

    /// Deletes the cache files (`*.hsdb` only) unused for `unusedLifetime`.
    func sweep(now: Date = Date()) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasSuffix(".hsdb") {
            let file = directory + "/" + name
            var info = stat()
            guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if now.timeIntervalSince1970 - TimeInterval(info.st_mtim.tv_sec) > PrefilterCache.unusedLifetime { unlink(file) }
        }
    }

    /// Writes `db` for `spec`; a failure only means the next run compiles again.
    func store(_ spec: [UInt8], _ db: OpaquePointer) {
        var bytes: UnsafeMutablePointer<CChar>?
        var count = 0
        guard hs_serialize_database(db, &bytes, &count) == HS_SUCCESS, let bytes else { return }
        defer { free(bytes) }
        var file = PrefilterCache.magic
        func put(_ n: Int) { withUnsafeBytes(of: UInt64(n).littleEndian) { file += $0 } }
        put(spec.count)
        file += spec
        put(count)
        file += UnsafeRawBufferPointer(start: bytes, count: count)
        let target = path(spec)
        let temporary = target + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(file), attributes: [.posixPermissions: 0o600]) else { return }
        if rename(temporary, target) != 0 { unlink(temporary); return }
        sweep()
    }
}
