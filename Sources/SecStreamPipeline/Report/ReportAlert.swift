import Foundation
import SecStreamCore

/// One alert as the report reads it back from an alerts file (docs/alerts.md).
/// Every string in it may come from an event, hence from an attacker: the
/// page escapes all of them (`HTML`).
struct ReportAlert {
    var id: String
    var ruleID: String
    var title: String
    var level: String
    var tags: [String]
    var group: [(field: String, value: String)]
    var windowStart: String
    var windowEnd: String
    var value: Double
    /// Epoch milliseconds (the event time the rule fired at).
    var detectedAt: Int64
    var samples: [Sample]

    enum Sample: Hashable {
        case file(source: String, line: Int64)
        case partition(topic: String, partition: Int64, offset: Int64)
    }

    /// Parses one NDJSON line; the error says what is missing or wrong.
    init(line: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
            throw ReportInputError("not a JSON object")
        }
        guard let id = object["alert_id"] as? String else { throw ReportInputError("no alert_id: not an alert") }
        guard let rule = object["rule"] as? [String: Any], let ruleID = rule["id"] as? String else {
            throw ReportInputError("no rule.id")
        }
        guard let detected = (object["detected_at"] as? String).flatMap(EventTime.parse) else {
            throw ReportInputError("no detected_at time")
        }
        self.id = id
        self.ruleID = ruleID
        title = rule["title"] as? String ?? ruleID
        level = rule["level"] as? String ?? "unknown"
        tags = (rule["tags"] as? [Any] ?? []).compactMap { $0 as? String }
        // JSONSerialization loses the object's key order; the alert's group-by order is kept by sorting the names.
        group = (object["group"] as? [String: Any] ?? [:]).map { ($0.key, Self.text($0.value)) }.sorted { $0.field < $1.field }
        let window = object["window"] as? [String: Any] ?? [:]
        windowStart = window["start"] as? String ?? ""
        windowEnd = window["end"] as? String ?? ""
        value = (object["value"] as? NSNumber)?.doubleValue ?? 0
        detectedAt = detected
        samples = (object["samples"] as? [Any] ?? []).compactMap { item -> Sample? in
            guard let s = item as? [String: Any] else { return nil }
            if let source = s["source"] as? String, let line = (s["line"] as? NSNumber)?.int64Value {
                return .file(source: source, line: line)
            }
            if let topic = s["topic"] as? String, let p = (s["partition"] as? NSNumber)?.int64Value,
               let o = (s["offset"] as? NSNumber)?.int64Value {
                return .partition(topic: topic, partition: p, offset: o)
            }
            return nil
        }
    }

    static func text(_ value: Any) -> String {
        if let s = value as? String { return s }
        if let n = value as? NSNumber { return n.stringValue }
        if value is NSNull { return "null" }
        return "\(value)"
    }

    /// The group value of the first field named like `suffix` (`source.ip`, `user.name`).
    func groupValue(endingWith suffix: String) -> String? {
        group.first { $0.field == suffix || $0.field.hasSuffix("." + suffix) }?.value
    }
}

/// Bad report input: the runner adds the file and line.
struct ReportInputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
