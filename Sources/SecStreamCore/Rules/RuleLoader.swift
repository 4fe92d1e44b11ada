import Foundation
import Yams

/// A rule file's name (for `file:line` messages) and its YAML text; the
/// built-in pack is compiled into the binary as these.
public struct RuleSource: Sendable, Equatable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// Loads Sigma detection and correlation rules into a `RuleSet`: the whole set
/// or a `RuleError` naming `file:line: problem`, never a partial set.
public struct RuleLoader {
    /// The event time field, always extracted (`--time-field`).
    public var timeField: String
    /// Sigma field -> event field candidates (`--field-map`).
    public var fieldMap: FieldMap

    public init(timeField: String = "@timestamp", fieldMap: FieldMap = FieldMap()) {
        self.timeField = timeField
        self.fieldMap = fieldMap
    }

    /// Loads rule files and directories (`--rules`), after any in-memory sources.
    public func load(paths: [String], adding sources: [RuleSource] = []) throws -> RuleSet {
        try load(sources: sources + RuleLoader.sources(atPaths: paths))
    }

    /// Reads files as given and directories recursively (`*.yml`, `*.yaml`),
    /// each directory's files in sorted order, so a load is deterministic.
    public static func sources(atPaths paths: [String]) throws -> [RuleSource] {
        let fm = FileManager.default
        var out: [RuleSource] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RuleError(file: path, line: 0, "no such rule file or directory")
            }
            var files: [String] = []
            if isDirectory.boolValue {
                guard let walker = fm.enumerator(atPath: path) else {
                    throw RuleError(file: path, line: 0, "cannot list rule directory")
                }
                for case let relative as String in walker where relative.hasSuffix(".yml") || relative.hasSuffix(".yaml") {
                    files.append((path as NSString).appendingPathComponent(relative))
                }
                files.sort()
            } else {
                files = [path]
            }
            for file in files {
                guard let data = fm.contents(atPath: file) else { throw RuleError(file: file, line: 0, "cannot read rule file") }
                guard let text = String(data: data, encoding: .utf8) else {
                    throw RuleError(file: file, line: 0, "rule file is not UTF-8")
                }
                out.append(RuleSource(name: file, text: text))
            }
        }
        return out
    }

    /// Loads in-memory rule texts (multi-document YAML allowed).
    public func load(sources: [RuleSource]) throws -> RuleSet {
        let schema = FieldSchema()
        let timeID = schema.intern(timeField)
        var detections: [DetectionRule] = []
        var correlations: [ParsedCorrelation] = []
        for source in sources {
            let documents = try RuleLoader.documents(of: source)
            for (i, document) in documents.enumerated() {
                let stem = ((source.name as NSString).lastPathComponent as NSString).deletingPathExtension
                let parser = RuleDocumentParser(
                    reader: YAMLReader(file: source.name, fallbackLine: document.mark?.line ?? 1),
                    schema: schema, fieldMap: fieldMap,
                    fallbackID: documents.count > 1 ? "\(stem)#\(i + 1)" : stem)
                switch try parser.parse(document) {
                case .detection(let meta, let matcher):
                    detections.append(DetectionRule(meta: meta, matcher: matcher))
                case .correlation(let c):
                    correlations.append(c)
                }
            }
        }
        let resolved = try CorrelationResolver(schema: schema, fieldMap: fieldMap, detections: detections,
                                               parsed: correlations).resolve()
        return RuleSet(schema: schema, timeField: timeID, detections: detections, correlations: resolved)
    }

    /// The non-empty YAML documents of a source (`---` separated).
    static func documents(of source: RuleSource) throws -> [Node] {
        var out: [Node] = []
        do {
            let parser = try Parser(yaml: source.text)
            while let node = try parser.nextRoot() {
                if case .scalar(let s) = node, SigmaScalar(s) == .null { continue }
                out.append(node)
            }
        } catch let e as RuleError {
            throw e
        } catch {
            throw RuleError.fromYAML(error, file: source.name)
        }
        return out
    }
}
