import Foundation
import SecStreamCore

/// What a model's input is: per value of `groupBy`, per tumbling event-time
/// window of `windowMs`, the features in this order. It is stored in the model
/// file (XGBoost's JSON, learner attribute `secstream_feature_spec`), so
/// scoring computes exactly the vector the trees were trained on.
public struct WindowFeatureSpec: Sendable, Equatable {
    public var groupBy: String
    public var windowMs: Int64
    public var features: [FeatureDefinition]

    /// The attribute of the XGBoost model that holds the spec's JSON.
    public static let attribute = "secstream_feature_spec"
    public static let version = 1

    public init(groupBy: String, windowMs: Int64, features: [FeatureDefinition]) {
        self.groupBy = groupBy
        self.windowMs = windowMs
        self.features = features
    }

    /// The features `train` uses: what tells the generator's attacks (and
    /// their decoys) from the background, by the fields its events carry
    /// (`Generate/EventRenderer`): volume, failures, fan-out over ports,
    /// addresses, accounts, hosts, paths and names, bytes both ways, time of day.
    public static func standard(groupBy: String, windowMs: Int64) -> WindowFeatureSpec {
        var features: [FeatureDefinition] = [
            .init(name: "events", kind: .count),
            .init(name: "auth_failures", kind: .countWhere(field: "event.outcome", equals: "failure")),
            .init(name: "failure_ratio", kind: .ratioWhere(field: "event.outcome", equals: "failure")),
            .init(name: "http_404", kind: .countWhere(field: "http.response.status_code", equals: "404")),
            .init(name: "dns_queries", kind: .countWhere(field: "event.dataset", equals: "dns")),
        ]
        for field in ["destination.port", "destination.ip", "user.name", "host.name", "url.path", "dns.question.name"]
        where field != groupBy {
            features.append(.init(name: "distinct_" + field.replacingOccurrences(of: ".", with: "_"), kind: .distinct(field: field)))
        }
        features += [
            .init(name: "source_bytes_sum", kind: .sum(field: "source.bytes")),
            .init(name: "destination_bytes_sum", kind: .sum(field: "destination.bytes")),
            .init(name: "hour_sin", kind: .hourSin),
            .init(name: "hour_cos", kind: .hourCos),
        ]
        return WindowFeatureSpec(groupBy: groupBy, windowMs: windowMs, features: features)
    }

    /// The event fields the features read, group field first, each once.
    public var fields: [String] {
        var out = [groupBy]
        for f in features { if let field = f.kind.field, !out.contains(field) { out.append(field) } }
        return out
    }

    public var names: [String] { features.map(\.name) }

    /// At most this many rule features (`train --rules`): each is a cell per
    /// event and a column per window.
    public static let maxRuleFeatures = 256

    /// The spec with one `ruleMatches` feature per rule (id, name), named
    /// `rule_` and the rule's name, or its id when the name is missing or taken.
    public func addingRules(_ rules: [(id: String, name: String?)]) -> WindowFeatureSpec {
        var out = self
        var taken = Set(names)
        for r in rules {
            var name = "rule_" + (r.name ?? r.id)
            if taken.contains(name) { name = "rule_" + r.id }
            taken.insert(name)
            out.features.append(.init(name: name, kind: .ruleMatches(rule: r.id)))
        }
        return out
    }

    // MARK: JSON

    /// The spec as JSON (sorted keys: the same spec is always the same bytes).
    public func json() -> String {
        let object: [String: Any] = [
            "version": Self.version,
            "group_by": groupBy,
            "window": Durations.format(windowMs),
            "window_ms": windowMs,
            "features": features.map { $0.jsonObject },
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a spec written by `json()`; the error says what is wrong.
    public static func parse(_ text: String) throws -> WindowFeatureSpec {
        guard let any = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
              let object = any as? [String: Any] else { throw SpecError("the feature spec is not a JSON object") }
        guard let version = object["version"] as? Int else { throw SpecError("the feature spec has no version") }
        guard version == Self.version else { throw SpecError("feature spec version \(version) (this secstream reads \(Self.version))") }
        guard let groupBy = object["group_by"] as? String, !groupBy.isEmpty else { throw SpecError("the feature spec has no group_by") }
        guard let windowMs = (object["window_ms"] as? NSNumber)?.int64Value, windowMs > 0 else {
            throw SpecError("the feature spec has no positive window_ms")
        }
        guard let list = object["features"] as? [[String: Any]], !list.isEmpty else { throw SpecError("the feature spec lists no features") }
        var features: [FeatureDefinition] = []
        for (i, item) in list.enumerated() { features.append(try FeatureDefinition(jsonObject: item, index: i)) }
        let names = features.map(\.name)
        if Set(names).count != names.count { throw SpecError("the feature spec names a feature twice") }
        return WindowFeatureSpec(groupBy: groupBy, windowMs: windowMs, features: features)
    }

    public struct SpecError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}

/// One feature of a window: its name (as the model file lists it) and how it
/// is computed from the window's events.
public struct FeatureDefinition: Sendable, Equatable {
    public var name: String
    public var kind: Kind

    public enum Kind: Sendable, Equatable {
        /// Events in the window.
        case count
        /// Events whose `field` equals `equals` (string value, or a number's text).
        case countWhere(field: String, equals: String)
        /// Of the events that have `field`, the fraction where it equals `equals` (0 when none have it).
        case ratioWhere(field: String, equals: String)
        /// Distinct values of `field` (exact: 64-bit hashes of the values).
        case distinct(field: String)
        /// Sum of the numeric values of `field`.
        case sum(field: String)
        /// Hour of day (UTC) of the window start, on the unit circle, so 23h and 0h are neighbours.
        case hourSin
        case hourCos
        /// Events the detection rule with this id matched (`train --rules`): a
        /// run scoring the model must load the rule.
        case ruleMatches(rule: String)

        public var field: String? {
            switch self {
            case .count, .hourSin, .hourCos, .ruleMatches: return nil
            case .countWhere(let f, _), .ratioWhere(let f, _), .distinct(let f), .sum(let f): return f
            }
        }
    }

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    var jsonObject: [String: Any] {
        switch kind {
        case .count: return ["name": name, "kind": "count"]
        case .countWhere(let f, let v): return ["name": name, "kind": "count_where", "field": f, "equals": v]
        case .ratioWhere(let f, let v): return ["name": name, "kind": "ratio_where", "field": f, "equals": v]
        case .distinct(let f): return ["name": name, "kind": "distinct", "field": f]
        case .sum(let f): return ["name": name, "kind": "sum", "field": f]
        case .hourSin: return ["name": name, "kind": "hour_sin"]
        case .hourCos: return ["name": name, "kind": "hour_cos"]
        case .ruleMatches(let id): return ["name": name, "kind": "rule_matches", "rule": id]
        }
    }

    init(jsonObject o: [String: Any], index: Int) throws {
        let at = "feature \(index + 1)"
        guard let name = o["name"] as? String, !name.isEmpty else { throw WindowFeatureSpec.SpecError("\(at) has no name") }
        guard let kind = o["kind"] as? String else { throw WindowFeatureSpec.SpecError("\(at) (\(name)) has no kind") }
        func field() throws -> String {
            guard let f = o["field"] as? String, !f.isEmpty else { throw WindowFeatureSpec.SpecError("\(at) (\(name)) has no field") }
            return f
        }
        func equals() throws -> String {
            guard let v = o["equals"] as? String else { throw WindowFeatureSpec.SpecError("\(at) (\(name)) has no equals") }
            return v
        }
        self.name = name
        switch kind {
        case "count": self.kind = .count
        case "count_where": self.kind = .countWhere(field: try field(), equals: try equals())
        case "ratio_where": self.kind = .ratioWhere(field: try field(), equals: try equals())
        case "distinct": self.kind = .distinct(field: try field())
        case "sum": self.kind = .sum(field: try field())
        case "hour_sin": self.kind = .hourSin
        case "hour_cos": self.kind = .hourCos
        case "rule_matches":
            guard let id = o["rule"] as? String, !id.isEmpty else { throw WindowFeatureSpec.SpecError("\(at) (\(name)) has no rule") }
            self.kind = .ruleMatches(rule: id)
        default: throw WindowFeatureSpec.SpecError("\(at) (\(name)) has unknown kind '\(kind)'")
        }
    }
}
