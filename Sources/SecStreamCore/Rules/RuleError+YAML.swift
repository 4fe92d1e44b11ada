import Yams

extension RuleError {
    /// A Yams parse error as `file:line: YAML problem`, one line.
    static func fromYAML(_ error: Error, file: String) -> RuleError {
        guard let yaml = error as? YamlError else { return RuleError(file: file, line: 0, "\(error)") }
        switch yaml {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text))" } ?? ""
            return RuleError(file: file, line: mark.line, "invalid YAML: \(problem)\(during)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return RuleError(file: file, line: context.mark.line,
                             "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        case .reader(let problem, _, _, _):
            return RuleError(file: file, line: 0, "unreadable YAML: \(problem)")
        default:
            return RuleError(file: file, line: 0, "invalid YAML: \(yaml)")
        }
    }
}
