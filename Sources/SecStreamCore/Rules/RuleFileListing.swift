#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The `.yml` / `.yaml` files under a rule directory, sorted by path.
///
/// A plain `readdir` walk: Foundation's directory enumerator built an
/// `NSString` and a `stat` per entry and was a twentieth of the load of the
/// SigmaHQ pack (thousands of files) before a single rule was parsed.
/// Symbolic links to directories are not followed (as the enumerator did not),
/// so a link cycle cannot loop.
enum RuleFileListing {
    /// Paths as `directory/relative/path.yml`; nil when `directory` cannot be opened.
    static func ruleFiles(under directory: String) -> [String]? {
        var out: [String] = []
        guard walk(directory, into: &out) else { return nil }
        out.sort()
        return out
    }

    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
    private static let typeOffset = MemoryLayout<dirent>.offset(of: \dirent.d_type)!

    private static func walk(_ directory: String, into out: inout [String]) -> Bool {
        guard let dir = opendir(directory) else { return false }
        defer { closedir(dir) }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        while let entry = readdir(dir) {
            // The kernel's record is only as long as its name (`d_reclen`):
            // `entry.pointee.d_name` would copy all 256 bytes of the field,
            // past the end of the last record in readdir's buffer
            // (AddressSanitizer found it). Read the fields in place.
            let record = UnsafeRawPointer(entry)
            let name = String(cString: (record + nameOffset).assumingMemoryBound(to: CChar.self))
            let type = Int32(record.load(fromByteOffset: typeOffset, as: UInt8.self))
            if name == "." || name == ".." { continue }
            let path = prefix + name
            var isDirectory = type == Int32(DT_DIR)
            if type == Int32(DT_UNKNOWN) {
                // Some file systems do not fill in the type: ask (without following links).
                var info = stat()
                isDirectory = lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            if isDirectory {
                // An unreadable subdirectory is left out, as the enumerator left it.
                _ = walk(path, into: &out)
            } else if name.hasSuffix(".yml") || name.hasSuffix(".yaml") {
                out.append(path)
            }
        }
        return true
    }
}
