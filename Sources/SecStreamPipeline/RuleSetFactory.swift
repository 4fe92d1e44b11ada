import SecStreamCore

/// Loads the rule set a run asks for: the built-in pack (unless
/// --no-default-rules), every --rules path, through the --field-map. A rule
/// that does not load is an input error (exit 3) before any event is read.
enum RuleSetFactory {
    static func load(_ options: ProcessOptions) throws -> RuleSet {
        do {
            let fieldMap = try options.fieldMap.map { try FieldMap.load(path: $0) } ?? FieldMap()
            let loader = RuleLoader(timeField: options.timeField, fieldMap: fieldMap)
            let builtin = options.defaultRules ? BuiltinRules.files.map { RuleSource(name: "builtin:\($0.name)", text: $0.text) } : []
            let rules = try loader.load(paths: options.rulePaths, adding: builtin)
            if rules.detections.isEmpty {
                throw RunError(.usage, "no rules to run: give --rules or drop --no-default-rules")
            }
            return rules
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError(.input, "\(error)")
        }
    }
}
