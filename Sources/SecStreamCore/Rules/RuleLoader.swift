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
/// or a `RuleError` naming `file:line: problem`, never a partial set. Rules
/// that are valid Sigma but use what secstream does not evaluate, or whose
/// logsource no pipeline recognises, are skipped and reported (`RuleSet.report`)
/// unless `strict`.
public struct RuleLoader {
    /// The event time field, always extracted: `--time-field`, else the first
    /// pipeline (by priority) that names one, else `@timestamp`.
    public var timeField: String
    /// Sigma field -> event field candidates (`--field-map`), applied after the pipelines.
    public var fieldMap: FieldMap
    /// Processing pipelines (`--pipeline`), applied by priority. Empty: rules
    /// are not routed by logsource (every rule runs on every event).
    public var pipelines: [ProcessingPipeline]
    /// `--placeholders`: values for `%name%` in `|expand` values.
    public var placeholders: [String: [String]]
    public var selection: RuleSelection
    /// `--strict`: any skipped rule is an error.
    public var strict: Bool
    /// What a numeric event time counts: the unit of the pipeline that named the time field.
    public var epochUnit = EpochUnit.milliseconds

    /// `timeField` nil: the pipelines' (see `timeField`).
    public init(timeField: String? = nil, fieldMap: FieldMap = FieldMap(), pipelines: [ProcessingPipeline] = [],
                placeholders: [String: [String]] = [:], selection: RuleSelection = RuleSelection(), strict: Bool = false) {
        self.fieldMap = fieldMap
        // Stable: equal priorities keep the order given.
        self.pipelines = pipelines.enumerated().sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }.map(\.element)
        if let timeField {
            self.timeField = timeField
        } else if let named = self.pipelines.first(where: { $0.timeField != nil }) {
            self.timeField = named.timeField!
            epochUnit = named.epochUnit ?? .milliseconds
        } else {
            self.timeField = "@timestamp"
        }
        self.placeholders = placeholders
        self.selection = selection
        self.strict = strict
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
                guard let found = RuleFileListing.ruleFiles(under: path) else {
                    throw RuleError(file: path, line: 0, "cannot list rule directory")
                }
                files = found
            } else {
                files = [path]
            }
            for file in files {
                guard let data = fm.contents(atPath: file) else { throw RuleError(file: file, line: 0, "cannot read rule file") }
                // A native string (Foundation's decoding bridged it): the YAML
                // parser reads its UTF-8 in place instead of copying it.
                guard let text = String(validating: data, as: UTF8.self) else {
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
        var report = RuleLoadReport()
        var detections: [DetectionRule] = []
        var correlations: [ParsedCorrelation] = []
        var filters: [ParsedFilter] = []
        /// Ids and names of skipped rules: correlations and filters naming them are skipped too.
        var skippedNames: [String: String] = [:]
        let stack = PipelineStack(pipelines: pipelines, placeholders: placeholders)
        let routes = RouteCache()
        let yaml = RuleYAMLPrefetch(sources)
        defer { yaml.cancel() }
        for (index, source) in sources.enumerated() {
            let documents = try yaml.documents(index)
            let stem = RuleLoader.stem(of: source.name)
            for (i, document) in documents.enumerated() {
                let parser = RuleDocumentParser(
                    reader: YAMLReader(file: source.name, fallbackLine: document.mark?.line ?? 1),
                    schema: schema, fieldMap: fieldMap, pipelines: stack, routes: routes,
                    fallbackID: documents.count > 1 ? "\(stem)#\(i + 1)" : stem)
                do {
                    switch try parser.parse(document) {
                    case .detection(let rule): detections.append(rule)
                    case .correlation(let c): correlations.append(c)
                    case .filter(let f): filters.append(f)
                    }
                } catch let e as RuleError where e.isUnsupported {
                    if strict { throw e }
                    report.unsupported.append(e)
                    for name in RuleLoader.identifiers(of: document) { skippedNames[name] = "it is unsupported (\(e.location))" }
                } catch let e as RuleLogsourceNotRecognised {
                    if strict { throw RuleError(e.location, "no loaded pipeline recognises logsource \(e.logsource) (--strict)") }
                    report.unrecognised.append((e.location, e.logsource))
                    for name in RuleLoader.identifiers(of: document) {
                        skippedNames[name] = "its logsource \(e.logsource) is not recognised (\(e.location))"
                    }
                }
            }
        }
        correlations = try dropCorrelationsOfSkippedRules(correlations, skippedNames: &skippedNames, report: &report)
        (detections, correlations) = select(detections, correlations, report: &report)
        let resolved = try CorrelationResolver(schema: schema, fieldMap: fieldMap, detections: detections,
                                               parsed: correlations).resolve()
        for d in detections where !selection.selects(d.meta) { d.emitsAlerts = false }
        for c in resolved where !selection.selects(c.meta) { c.emitsAlerts = false }
        try FilterApplier(schema: schema, fieldMap: fieldMap, strict: strict)
            .apply(filters, to: detections, skippedNames: skippedNames, report: &report)
        let set = RuleSet(schema: schema, timeField: timeID, detections: detections, correlations: resolved)
        set.report = report
        set.epochUnit = epochUnit
        return set
    }

    /// A correlation that names a skipped rule cannot run: it is skipped too
    /// (repeatedly, for correlations of correlations), with the reason.
    private func dropCorrelationsOfSkippedRules(_ parsed: [ParsedCorrelation], skippedNames: inout [String: String],
                                                report: inout RuleLoadReport) throws -> [ParsedCorrelation] {
        var kept = parsed
        var changed = true
        while changed {
            changed = false
            kept = try kept.filter { c in
                guard let ref = c.rules.first(where: { skippedNames[$0.text] != nil }) else { return true }
                let e = c.reader.unsupported(ref.node, "references rule '\(ref.text)', which is skipped: \(skippedNames[ref.text]!)")
                if strict { throw e }
                report.unsupported.append(e)
                skippedNames[c.meta.id] = "it is unsupported (\(c.meta.location))"
                if let n = c.meta.name { skippedNames[n] = skippedNames[c.meta.id] }
                changed = true
                return false
            }
        }
        return kept
    }

    /// Keeps the selected rules and whatever a selected correlation reads
    /// (those run without writing alerts of their own).
    private func select(_ detections: [DetectionRule], _ correlations: [ParsedCorrelation],
                        report: inout RuleLoadReport) -> ([DetectionRule], [ParsedCorrelation]) {
        guard !selection.selectsEverything else { return (detections, correlations) }
        var needed = Set<String>()
        var pending = correlations.filter { selection.selects($0.meta) }
        var keptCorrelations = Set(pending.map(\.meta.id))
        while let c = pending.popLast() {
            for r in c.rules where needed.insert(r.text).inserted {
                for other in correlations where (other.meta.id == r.text || other.meta.name == r.text)
                    && keptCorrelations.insert(other.meta.id).inserted {
                    pending.append(other)
                }
            }
        }
        let d = detections.filter { selection.selects($0.meta) || needed.contains($0.meta.id) || $0.meta.name.map(needed.contains) == true }
        let c = correlations.filter { keptCorrelations.contains($0.meta.id) }
        report.deselected = (detections.count - d.count) + (correlations.count - c.count)
        return (d, c)
    }

    /// `id` and `name` of a rule document, read without validating it.
    private static func identifiers(of document: Node) -> [String] {
        guard case .mapping(let m) = document else { return [] }
        return ["id", "name"].compactMap { m[$0]?.scalar?.string }
    }

    /// The non-empty YAML documents of a source (`---` separated).
    ///
    /// Parsed with Yams' `basic` resolver: rule code types scalars itself
    /// (`SigmaScalar`, from the text and the quoting), and the default
    /// resolver's regexes (int, float, bool, timestamp ... per scalar, run
    /// again each time a node is hashed or compared: the duplicate-key check,
    /// `map["key"]`) were a third of the load. The one difference: two keys of
    /// one map with the same text, one quoted and one plain non-string
    /// (`1:` and `'1':`), are now duplicates. The encoding is given so Yams
    /// does not read the process environment per file.
    /// The file name without its directory and extension (`a/b/rule.yml` -> `rule`):
    /// a rule's id when it gives none. Plain string work; `NSString`'s path
    /// methods cost more than parsing a small rule.
    static func stem(of path: String) -> String {
        var name = Substring(path)
        while name.count > 1 && name.hasSuffix("/") { name = name.dropLast() }
        if let slash = name.lastIndex(of: "/"), name.index(after: slash) < name.endIndex {
            name = name[name.index(after: slash)...]
        }
        if let dot = name.lastIndex(of: "."), dot > name.startIndex { name = name[..<dot] }
        return String(name)
    }

    static func documents(of source: RuleSource) throws -> [Node] {
        var out: [Node] = []
        do {
            let parser = try Parser(yaml: source.text, resolver: .basic, encoding: .utf8)
            while let node = try parser.nextRoot() {
                if case .scalar(let s) = node, SigmaScalar(s) == .null { continue }
                try YAMLSizeLimit.check(node, file: source.name, text: source.text)
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
