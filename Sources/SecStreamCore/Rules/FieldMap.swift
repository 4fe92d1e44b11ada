import Foundation
import Yams

/// `--field-map FILE`: Sigma field names to event fields, so a rule written for
/// one log source runs on another (Zeek's `id.orig_h` on ECS `source.ip`).
/// Each Sigma field maps to one event field or to candidates tried in order;
/// the first one present in an event is the field's value. Unmapped fields are
/// used as written.
public struct FieldMap: Sendable, Equatable {
    public private(set) var candidates: [String: [String]]

    public init(_ candidates: [String: [String]] = [:]) { self.candidates = candidates }

    /// Reads a field map file: `sigma_field: event_field` or
    /// `sigma_field: [candidate, ...]` (also accepted under a `fieldmappings:` key).
    public static func load(path: String) throws -> FieldMap {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleError(file: path, line: 0, "cannot read field map")
        }
        return try parse(String(decoding: data, as: UTF8.self), name: path)
    }

    public static func parse(_ text: String, name: String) throws -> FieldMap {
        let reader = YAMLReader(file: name, fallbackLine: 1)
        let root: Node?
        do { root = try YAMLReader.compose(text) } catch { throw RuleError.fromYAML(error, file: name) }
        guard var top = root else { return FieldMap() }
        try YAMLSizeLimit.check(top, file: name)
        var map = try reader.mapping(top, "a field map")
        if map.count == 1, let inner = map["fieldmappings"] {
            top = inner
            map = try reader.mapping(top, "'fieldmappings'")
        }
        var out: [String: [String]] = [:]
        for (k, v) in map {
            let sigmaField = try reader.key(k)
            let fields = try reader.stringList(v, "field map entry '\(sigmaField)'")
            guard !fields.isEmpty, fields.allSatisfy({ !$0.isEmpty }) else {
                throw reader.error(v, "field map entry '\(sigmaField)' has no event field")
            }
            out[sigmaField] = fields
        }
        return FieldMap(out)
    }

    /// The event fields a Sigma field stands for, in order of preference.
    public func eventFields(for sigmaField: String) -> [String] {
        candidates[sigmaField] ?? [sigmaField]
    }

    /// The field's candidates interned into `schema` (so the scanner extracts them).
    public func fieldRef(_ sigmaField: String, in schema: FieldSchema) -> FieldRef {
        FieldRef(eventFields(for: sigmaField).map { schema.intern($0) })
    }
}
