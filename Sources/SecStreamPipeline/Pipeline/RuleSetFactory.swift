import Foundation
import SecStreamCore

/// Loads the rule set a run asks for: the built-in pack (unless
/// --no-default-rules), every --rules path, through the processing pipelines
/// (--pipeline, `ecs` when none is given) and the --field-map. A rule that
/// does not parse is an input error (exit 3) before any event is read; a rule
/// secstream cannot run is skipped with one stderr line (an error with
/// --strict), and one summary line says what was loaded and left out.
package enum RuleSetFactory {
    /// The cache `setting` names, if it can be used.
    static func prefilterCache(_ setting: RuleCacheSetting) -> PrefilterCache? {
        switch setting {
        case .off:
            return nil
        case .standard:
            return PrefilterCache.defaultDirectory().flatMap { try? PrefilterCache(directory: $0) }
        case .directory(let path):
            do {
                return try PrefilterCache(directory: path)
            } catch {
                FileHandle.standardError.write(Data("secstream: --rule-cache \(path): not used: \(error)\n".utf8))
                return nil
            }
        }
    }

    static func load(_ options: RulesConfiguration, summary: Bool, allowNoRules: Bool = false) throws -> RuleSet {
        let pipelines: [ProcessingPipeline]
        let fieldMap: FieldMap
        let placeholders: [String: [String]]
        var selection = options.selection
        do {
            pipelines = try (options.pipelines.isEmpty ? ["ecs"] : options.pipelines).map(PipelineCatalog.resolve)
            fieldMap = try options.fieldMap.map { try FieldMap.load(path: $0) } ?? FieldMap()
            placeholders = try options.placeholders.map { try Placeholders.load(path: $0) } ?? [:]
            for e in options.excludeRules { selection.excluded.formUnion(try excludedRules(e)) }
        } catch let error as RuleError {
            throw RunError(.usage, "\(error)")
        }
        if let level = selection.minLevel, !RuleSelection.levels.contains(level) {
            throw RunError(.usage, "--min-level: '\(level)' is not one of \(RuleSelection.levels.joined(separator: ", "))")
        }
        do {
            let loader = RuleLoader(timeField: options.timeField, fieldMap: fieldMap, pipelines: pipelines,
                                    placeholders: placeholders, selection: selection, strict: options.strict)
            let builtin = options.defaultRules ? BuiltinRules.files.map { RuleSource(name: "builtin:\($0.name)", text: $0.text) } : []
            let rules = try loader.load(paths: options.rulePaths, adding: builtin)
            rules.prefilterCache = prefilterCache(options.ruleCache)
            if summary || !rules.report.unsupported.isEmpty {
                report(rules)
            }
            if rules.detections.isEmpty && !allowNoRules {
                throw RunError(.usage, "no rules to run: give --rules or drop --no-default-rules"
                    + (rules.report.unrecognised.isEmpty ? "" : " (or a --pipeline that recognises their logsources)"))
            }
            return rules
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError(.input, "\(error)")
        }
    }

    /// One line per skipped rule (`file:line: why`), then the summary, on stderr.
    private static func report(_ rules: RuleSet) {
        var text = ""
        for e in rules.report.unsupported { text += "secstream: skipped rule \(e)\n" }
        let r = rules.report
        if !r.unsupported.isEmpty || !r.unrecognised.isEmpty || r.deselected > 0 || r.filters > 0 {
            text += "secstream: " + r.summary(detections: rules.detections.count, correlations: rules.correlations.count) + "\n"
        }
        if !text.isEmpty { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// `--exclude-rules`: an existing file lists ids or names (one per line,
    /// `#` comments); anything else is one id or name.
    private static func excludedRules(_ argument: String) throws -> Set<String> {
        guard FileManager.default.fileExists(atPath: argument) else { return [argument] }
        guard let data = FileManager.default.contents(atPath: argument) else {
            throw RuleError(file: argument, line: 0, "cannot read --exclude-rules file")
        }
        var out = Set<String>()
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let text = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: .whitespaces)
            if !text.isEmpty { out.insert(text) }
        }
        return out
    }
}
