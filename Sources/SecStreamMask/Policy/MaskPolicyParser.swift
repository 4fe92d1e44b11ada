import Foundation
import SecStreamCore
import Yams

/// Reads a policy file. Every problem is one line, `FILE:LINE: problem`, and
/// exit 2 (a configuration error): a policy that half-applies would leak.
public enum MaskPolicyParser {
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MaskPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError(.usage, "\(path): cannot read the masking policy")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, environment: environment)
    }

    public static func parse(_ text: String, file: String, environment: [String: String]) throws -> MaskPolicy {
        func fail(_ node: Node?, _ problem: String) -> RunError {
            RunError(.usage, "\(file):\(node?.mark?.line ?? 1): \(problem)")
        }
        let root: Node
        do {
            guard let parsed = try Yams.compose(yaml: text) else { throw fail(nil, "empty masking policy") }
            root = parsed
        } catch let error as RunError {
            throw error
        } catch let error as YamlError {
            throw RunError(.usage, "\(file):\(yamlLine(error)): invalid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard case .mapping(let top) = root else { throw fail(root, "the policy must be a map (key_file, fields, patterns)") }

        var keyFile: (String, Node)?
        var keyID = "k1"
        var fieldsNode: Node?
        var patternsNode: Node?
        var hmacLength = 16
        var hmacPrefix = ""
        for (k, v) in top {
            guard case .scalar(let name) = k else { throw fail(k, "keys must be plain names") }
            switch name.string {
            case "key_file": keyFile = (try scalar(v, "key_file", fail), v)
            case "key_id": keyID = try scalar(v, "key_id", fail)
            case "fields": fieldsNode = v
            case "patterns": patternsNode = v
            case "hmac":
                guard case .mapping(let m) = v else { throw fail(v, "hmac must be a map (length, prefix)") }
                (hmacLength, hmacPrefix) = try hmacOptions(m, length: hmacLength, prefix: hmacPrefix, fail)
            default: throw fail(k, "unknown policy key '\(name.string)' (key_file, key_id, hmac, fields, patterns)")
            }
        }

        let keyBytes: [UInt8]
        if let (path, node) = keyFile {
            let resolved = path.hasPrefix("/") ? path
                : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(path).path
            guard let data = FileManager.default.contents(atPath: resolved) else {
                throw fail(node, "cannot read key_file \(resolved)")
            }
            guard let bytes = MaskKey.parseHex(String(decoding: data, as: UTF8.self)) else {
                throw fail(node, "key_file \(resolved) must hold 64 hex characters (32 bytes)")
            }
            keyBytes = bytes
        } else if let hex = environment[MaskKey.environmentVariable] {
            guard let bytes = MaskKey.parseHex(hex) else {
                throw fail(root, "\(MaskKey.environmentVariable) must hold 64 hex characters (32 bytes)")
            }
            keyBytes = bytes
        } else {
            throw fail(root, "no key: set key_file or \(MaskKey.environmentVariable)")
        }

        var exact: [String: MaskAction] = [:]
        var wildcards: [(FieldPattern, MaskAction)] = []
        if let fieldsNode {
            guard case .mapping(let fields) = fieldsNode else { throw fail(fieldsNode, "fields must be a map FIELD: ACTION") }
            for (k, v) in fields {
                guard case .scalar(let name) = k, !name.string.isEmpty else { throw fail(k, "field names must be plain names") }
                let action = try parseAction(v, hmacLength: hmacLength, hmacPrefix: hmacPrefix, keyID: keyID, fail)
                let pattern = FieldPattern(name.string)
                if pattern.isWildcard { wildcards.append((pattern, action)) } else { exact[name.string] = action }
            }
        }
        let patterns = try parsePatterns(patternsNode, fail)
        if exact.isEmpty && wildcards.isEmpty { throw fail(fieldsNode ?? root, "the policy masks no field (fields: {FIELD: ACTION})") }
        return MaskPolicy(file: file, key: MaskKey(id: keyID, bytes: keyBytes), exact: exact, wildcards: wildcards,
                          patterns: patterns)
    }

    private static func yamlLine(_ error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }

    private static func scalar(_ node: Node, _ what: String, _ fail: (Node?, String) -> RunError) throws -> String {
        guard case .scalar(let s) = node else { throw fail(node, "\(what) must be a single value") }
        return s.string
    }

    private static func hmacOptions(_ m: Node.Mapping, length: Int, prefix: String,
                                    _ fail: (Node?, String) -> RunError) throws -> (Int, String) {
        var length = length, prefix = prefix
        for (k, v) in m {
            switch k.scalar?.string {
            case "length":
                guard let n = Int(try scalar(v, "length", fail)), (4...64).contains(n) else {
                    throw fail(v, "hmac length must be 4 to 64 hex characters")
                }
                length = n
            case "prefix": prefix = try scalar(v, "prefix", fail)
            case "action": continue
            default: throw fail(k, "unknown hmac option '\(k.scalar?.string ?? "")' (length, prefix)")
            }
        }
        return (length, prefix)
    }

    private static func parseAction(_ node: Node, hmacLength: Int, hmacPrefix: String, keyID: String,
                                    _ fail: (Node?, String) -> RunError) throws -> MaskAction {
        let name: String
        var options: Node.Mapping?
        switch node {
        case .scalar(let s): name = s.string
        case .mapping(let m):
            guard let a = m["action"] else { throw fail(node, "an action map needs 'action'") }
            name = try scalar(a, "action", fail)
            options = m
        default: throw fail(node, "an action is a name (hmac, cryptopan, truncate, redact, drop, patterns) or a map with 'action'")
        }
        let known: Set<String>
        let action: MaskAction
        switch name {
        case "hmac":
            var (length, prefix) = (hmacLength, hmacPrefix)
            if let options { (length, prefix) = try hmacOptions(options, length: length, prefix: prefix, fail) }
            return .hmac(length: length, prefix: prefix.replacingOccurrences(of: "{key_id}", with: keyID))
        case "cryptopan": action = .cryptopan; known = ["action"]
        case "truncate": action = .truncate; known = ["action"]
        case "drop": action = .drop; known = ["action"]
        case "patterns": action = .patterns; known = ["action"]
        case "redact":
            var with = MaskAction.redacted
            if let w = options?["with"] { with = try scalar(w, "with", fail) }
            action = .redact(with); known = ["action", "with"]
        default:
            throw fail(node, "unknown action '\(name)' (hmac, cryptopan, truncate, redact, drop, patterns)")
        }
        for (k, _) in options ?? [:] where !known.contains(k.scalar?.string ?? "") {
            throw fail(k, "option '\(k.scalar?.string ?? "")' does not apply to \(name)")
        }
        return action
    }

    private static func parsePatterns(_ node: Node?, _ fail: (Node?, String) -> RunError) throws -> TextPatterns {
        var kinds = TextPatterns.Kind.allCases
        var custom: [TextPatterns.Rule] = []
        if let node {
            guard case .mapping(let m) = node else { throw fail(node, "patterns must be a map (builtin, custom)") }
            for (k, v) in m {
                switch k.scalar?.string {
                case "builtin":
                    guard case .sequence(let list) = v else { throw fail(v, "builtin must be a list") }
                    kinds = try list.map { item in
                        let name = try scalar(item, "a builtin pattern", fail)
                        guard let kind = TextPatterns.Kind(rawValue: name) else {
                            throw fail(item, "unknown builtin pattern '\(name)' (\(TextPatterns.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                        }
                        return kind
                    }
                case "custom":
                    guard case .sequence(let list) = v else { throw fail(v, "custom must be a list of {name, regex}") }
                    for item in list {
                        guard case .mapping(let entry) = item, let nameNode = entry["name"], let regexNode = entry["regex"] else {
                            throw fail(item, "a custom pattern is {name: NAME, regex: RE2}")
                        }
                        let name = try scalar(nameNode, "name", fail)
                        switch Regex.compile(try scalar(regexNode, "regex", fail)) {
                        case .success(let regex): custom.append(TextPatterns.Rule(name: name, kind: nil, regex: regex))
                        case .failure(let why): throw fail(regexNode, "regex of '\(name)' does not compile (RE2): \(why.message)")
                        }
                    }
                default: throw fail(k, "unknown patterns key '\(k.scalar?.string ?? "")' (builtin, custom)")
                }
            }
        }
        // Built-ins in their fixed order (secrets first), then the policy's own.
        let ordered = TextPatterns.Kind.allCases.filter { kinds.contains($0) }
        return TextPatterns(rules: ordered.map(TextPatterns.builtin) + custom)
    }
}
