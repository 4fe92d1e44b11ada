import Foundation
import SecStreamCore

/// Which (group, time span) pairs are attacks, for `train`: from
/// `generate --truth` (`{"group":{"source.ip":"…"},"window":{"start","end"},…}`;
/// a group of several fields labels by its group-by field, records without it are skipped)
/// or an analyst's labels file, one NDJSON object per line:
/// `{"group":"203.0.113.7","start":"2026-11-20T00:06:00Z","end":"2026-11-20T00:09:00Z"}`
/// (optionally `"field":"source.ip"`; without it the model's group-by field).
/// A window is positive when a span of its group overlaps it.
public struct WindowLabels: Sendable {
    public struct Span: Sendable, Equatable {
        public var group: String
        public var start: Int64
        public var end: Int64
    }
    public private(set) var spans: [String: [Span]] = [:]
    public var count: Int { spans.values.reduce(0) { $0 + $1.count } }

    public enum Format: Sendable { case truth, labels }

    /// Reads `path`; only spans of `groupBy` are kept. A line that is not a
    /// valid record is an error naming `path:line`.
    public static func load(path: String, format: Format, groupBy: String) throws -> WindowLabels {
        guard let data = FileManager.default.contents(atPath: path) else { throw LabelError("\(path): cannot read") }
        var labels = WindowLabels()
        var other = Set<String>()
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            let at = "\(path):\(index + 1)"
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                throw LabelError("\(at): not a JSON object")
            }
            let field: String, group: String, startText: Any?, endText: Any?
            switch format {
            case .truth:
                // A record names its entity by one field or several (a slow brute
                // force: user.name and source.ip); the group-by field's value labels.
                guard let g = object["group"] as? [String: Any], !g.isEmpty, g.values.allSatisfy({ $0 is String }) else {
                    throw LabelError("\(at): no \"group\" object of string fields")
                }
                if let value = g[groupBy] as? String { field = groupBy; group = value } else {
                    other.formUnion(g.keys); continue
                }
                let window = object["window"] as? [String: Any]
                startText = window?["start"]; endText = window?["end"]
            case .labels:
                guard let value = object["group"] as? String else { throw LabelError("\(at): no \"group\" string") }
                field = (object["field"] as? String) ?? groupBy; group = value
                startText = object["start"]; endText = object["end"]
            }
            guard let s = startText as? String, let start = EventTime.parse(s) else { throw LabelError("\(at): no RFC 3339 start") }
            guard let e = endText as? String, let end = EventTime.parse(e) else { throw LabelError("\(at): no RFC 3339 end") }
            guard end >= start else { throw LabelError("\(at): end before start") }
            guard field == groupBy else { other.insert(field); continue }
            labels.spans[group, default: []].append(Span(group: group, start: start, end: end))
        }
        if labels.spans.isEmpty {
            let seen = other.isEmpty ? "" : " (it labels \(other.sorted().joined(separator: ", ")))"
            throw LabelError("\(path): no labels for the group-by field \(groupBy)\(seen)")
        }
        return labels
    }

    public init() {}

    public init(spans: [Span]) {
        for s in spans { self.spans[s.group, default: []].append(s) }
    }

    /// Whether the window `[start, end)` of `group` overlaps a labelled span.
    public func isPositive(group: String, start: Int64, end: Int64) -> Bool {
        spans[group]?.contains { $0.start < end && $0.end >= start } ?? false
    }

    public struct LabelError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
