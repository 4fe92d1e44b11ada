import Foundation

/// The INI files of the AWS CLI and SDKs: `~/.aws/credentials` (sections
/// named after the profile) and `~/.aws/config` (`[default]` and
/// `[profile NAME]`). Indented lines under a `key =` line with no value are
/// that key's sub-settings (`s3 =` / `  addressing_style = path`), stored as
/// `s3.addressing_style`.
struct AWSConfigFile {
    /// Section name (as written, minus the `profile ` prefix when `isConfig`) → settings.
    private(set) var sections: [String: [String: String]] = [:]

    init(text: String, isConfig: Bool) {
        var section: String?
        var parent: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let indented = rawLine.first == " " || rawLine.first == "\t"
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                var name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if isConfig && name.hasPrefix("profile ") {
                    name = name.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces)
                }
                section = name
                parent = nil
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if indented, let parent {
                sections[section]![parent + "." + key] = value
            } else if value.isEmpty {
                parent = key
            } else {
                parent = nil
                sections[section]![key] = value
            }
        }
    }

    /// Reads the file; a missing file is an empty one.
    static func load(path: String, isConfig: Bool) throws -> AWSConfigFile {
        guard FileManager.default.fileExists(atPath: path) else { return AWSConfigFile(text: "", isConfig: isConfig) }
        do {
            return AWSConfigFile(text: try String(contentsOfFile: path, encoding: .utf8), isConfig: isConfig)
        } catch {
            throw ObjectStoreError(kind: .configuration, operation: "read AWS config", target: path,
                                   message: "cannot read: \(error.localizedDescription)")
        }
    }

    func value(_ key: String, profile: String) -> String? {
        sections[profile]?[key]
    }
}
