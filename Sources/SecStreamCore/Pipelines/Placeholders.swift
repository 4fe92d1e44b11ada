import Foundation
import Yams

/// `--placeholders FILE`: values for the `%name%` placeholders of `|expand`
/// values, as YAML `name: value` or `name: [values]` (pySigma's `vars`).
public enum Placeholders {
    public static func load(path: String) throws -> [String: [String]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleError(file: path, line: 0, "cannot read placeholders file")
        }
        let reader = YAMLReader(file: path, fallbackLine: 1)
        let root: Node?
        do { root = try YAMLReader.compose(String(decoding: data, as: UTF8.self)) } catch { throw RuleError.fromYAML(error, file: path) }
        guard let root else { return [:] }
        try YAMLSizeLimit.check(root, file: path)
        var out: [String: [String]] = [:]
        for (k, v) in try reader.mapping(root, "a placeholders file") {
            out[try reader.key(k)] = try reader.stringList(v, "a placeholder's values")
        }
        return out
    }
}
