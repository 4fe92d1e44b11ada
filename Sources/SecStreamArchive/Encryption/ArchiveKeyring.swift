import Foundation
import SecStreamCore

/// Key-encryption keys for client-side archive encryption (`--encrypt`,
/// `--keyring`): a text file, one key per line, `ID HEX64`; `#` comments and
/// blank lines are ignored; the last key is the current one (new objects).
/// Rotation appends a line: objects written under older keys stay readable
/// as long as their lines stay.
public struct ArchiveKeyring: Sendable {
    public let keys: [String: [UInt8]]
    public let currentID: String

    public init(keys: [(id: String, key: [UInt8])]) {
        precondition(!keys.isEmpty)
        var table: [String: [UInt8]] = [:]
        for k in keys { table[k.id] = k.key }
        self.keys = table
        currentID = keys.last!.id
    }

    public var current: [UInt8] { keys[currentID]! }

    /// Reads a keyring; every problem is `FILE:LINE: problem`, exit 2.
    public static func load(path: String, flag: String) throws -> ArchiveKeyring {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError(.usage, "\(flag) \(path): cannot read the keyring")
        }
        var keys: [(id: String, key: [UInt8])] = []
        var seen = Set<String>()
        for (index, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            func fail(_ why: String) -> RunError { RunError(.usage, "\(path):\(index + 1): \(why)") }
            guard parts.count == 2 else { throw fail("a key line is 'ID HEX64'") }
            let id = String(parts[0])
            guard (1...255).contains(id.utf8.count), id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw fail("a key id is 1 to 255 printable ASCII characters")
            }
            guard let key = hex32(String(parts[1])) else { throw fail("key '\(id)' must be 64 hex characters (32 bytes)") }
            guard seen.insert(id).inserted else { throw fail("key id '\(id)' appears twice") }
            keys.append((id, key))
        }
        guard !keys.isEmpty else { throw RunError(.usage, "\(path): the keyring holds no key ('ID HEX64' per line)") }
        return ArchiveKeyring(keys: keys)
    }

    static func hex32(_ text: String) -> [UInt8]? {
        let hex = Array(text.utf8)
        guard hex.count == 64 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: 64, by: 2) {
            guard let h = nibble(hex[i]), let l = nibble(hex[i + 1]) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
