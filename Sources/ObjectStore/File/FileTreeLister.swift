#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists a directory tree the way S3 lists a bucket: every key under a
/// prefix, or with a delimiter the keys up to it and the rolled-up common
/// prefixes, all in UTF-8 byte order. With the usual `/` delimiter it does not
/// descend into the subdirectories it rolls up (beyond checking that they hold
/// a file), so listing the `dt=` partitions of a large archive stays cheap.
struct FileTreeLister {
    let root: String
    let temporaryPrefix: String

    init(root: String, temporaryPrefix: String) {
        self.root = root
        self.temporaryPrefix = temporaryPrefix
    }

    func list(prefix: String, delimiter: String?) throws -> [ListEntry] {
        // Start in the deepest directory the prefix names; the rest of the
        // prefix filters that directory's entries.
        let directoryPart: String
        let namePrefix: String
        if let slash = prefix.lastIndex(of: "/") {
            directoryPart = String(prefix[...slash])
            namePrefix = String(prefix[prefix.index(after: slash)...])
        } else {
            directoryPart = ""
            namePrefix = prefix
        }
        var objects: [ListEntry] = []
        var prefixes: [String] = []
        let rollUpDirectories = delimiter == "/"
        try walk(relative: directoryPart, namePrefix: namePrefix, rollUp: rollUpDirectories,
                 objects: &objects, prefixes: &prefixes)

        if let delimiter, !rollUpDirectories, !delimiter.isEmpty {
            // A delimiter other than "/": roll up after the full walk.
            var rolled: [ListEntry] = []
            var seen = Set<String>()
            for entry in objects {
                guard case .object(let info) = entry else { continue }
                let key = Array(info.key.utf8)
                if let end = Self.endOfFirst(Array(delimiter.utf8), in: key, from: prefix.utf8.count) {
                    let common = String(decoding: key[..<end], as: UTF8.self)
                    if seen.insert(common).inserted { rolled.append(.commonPrefix(common)) }
                } else {
                    rolled.append(entry)
                }
            }
            objects = rolled
        }
        var all = objects + prefixes.map { ListEntry.commonPrefix($0) }
        all.sort { $0.sortKey.utf8.lexicographicallyPrecedes($1.sortKey.utf8) }
        return all
    }

    /// The index just past the first occurrence of `needle` in `bytes` at or
    /// after `start`.
    static func endOfFirst(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var i = start
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && bytes[i..<(i + needle.count)].elementsEqual(needle) {
                return i + needle.count
            }
            i += 1
        }
        return nil
    }

    private func walk(relative: String, namePrefix: String, rollUp: Bool,
                      objects: inout [ListEntry], prefixes: inout [String]) throws {
        let directoryPath = relative.isEmpty ? root : "\(root)/\(relative.dropLast())"
        guard let dir = opendir(directoryPath) else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw ObjectStoreError(kind: .io, operation: "LIST", target: directoryPath,
                                   code: posixErrorName(errno), message: String(cString: strerror(errno)))
        }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = Self.name(entry)
            if name == "." || name == ".." || name.hasPrefix(temporaryPrefix) { continue }
            if !namePrefix.isEmpty && !name.hasPrefix(namePrefix) { continue }
            let key = relative + name
            var st = stat()
            if stat("\(root)/\(key)", &st) != 0 { continue }  // vanished meanwhile
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                if rollUp {
                    if containsFile("\(root)/\(key)") { prefixes.append(key + "/") }
                } else {
                    try walk(relative: key + "/", namePrefix: "", rollUp: false,
                             objects: &objects, prefixes: &prefixes)
                }
            case S_IFREG:
                objects.append(.object(FileObjectStore.info(key: key, stat: st)))
            default:
                continue
            }
        }
    }

    /// A `readdir` record's name, read in place: the record is only as long as
    /// its name (`d_reclen`), and `entry.pointee.d_name` copies all 256 bytes
    /// of the field, past the end of the last record in readdir's buffer
    /// (AddressSanitizer found it in the rule directory walk).
    private static func name(_ entry: UnsafeMutablePointer<dirent>) -> String {
        String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
    }

    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!

    /// True when the directory tree holds at least one (non-temporary) file:
    /// S3 shows no empty "folders".
    private func containsFile(_ path: String) -> Bool {
        guard let dir = opendir(path) else { return false }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = Self.name(entry)
            if name == "." || name == ".." || name.hasPrefix(temporaryPrefix) { continue }
            var st = stat()
            if stat("\(path)/\(name)", &st) != 0 { continue }
            if (st.st_mode & S_IFMT) == S_IFREG { return true }
            if (st.st_mode & S_IFMT) == S_IFDIR && containsFile("\(path)/\(name)") { return true }
        }
        return false
    }
}

/// One row of a listing before paging: an object or a rolled-up prefix.
enum ListEntry {
    case object(ObjectInfo)
    case commonPrefix(String)

    var sortKey: String {
        switch self {
        case .object(let info): return info.key
        case .commonPrefix(let prefix): return prefix
        }
    }
}

/// Cuts a sorted listing into pages the way S3 does: objects and common
/// prefixes both count toward the page size, `startAfter` is exclusive. A
/// common prefix that sorts before `startAfter` but contains it stays when
/// one of its keys sorts after `startAfter` (`prefixHasKeyAfter` says).
enum ListPager {
    static func page(_ entries: [ListEntry], startAfter: String?, pageSize: Int,
                     onPage: (ListPage) throws -> Bool,
                     prefixHasKeyAfter: (String, String) throws -> Bool) throws {
        var remaining = entries[...]
        if let startAfter {
            remaining = try ArraySlice(remaining.filter { entry in
                if startAfter.utf8.lexicographicallyPrecedes(entry.sortKey.utf8) { return true }
                if case .commonPrefix(let prefix) = entry, startAfter.hasPrefix(prefix) {
                    return try prefixHasKeyAfter(prefix, startAfter)
                }
                return false
            })
        }
        repeat {
            let chunk = remaining.prefix(pageSize)
            remaining = remaining.dropFirst(chunk.count)
            var page = ListPage(objects: [], commonPrefixes: [])
            for entry in chunk {
                switch entry {
                case .object(let info): page.objects.append(info)
                case .commonPrefix(let prefix): page.commonPrefixes.append(prefix)
                }
            }
            if try !onPage(page) { return }
        } while !remaining.isEmpty
    }
}
