/// A problem in a rule file, field map or rule path: one line, `file:line: problem`.
///
/// The loader throws it for the first problem it meets, so nothing runs on a
/// half-loaded rule set.
public struct RuleError: Error, CustomStringConvertible, Equatable {
    public let location: RuleLocation
    public let problem: String
    /// The rule is valid Sigma but uses something secstream does not evaluate
    /// (a modifier, a logsource no pipeline recognises, a placeholder without
    /// values, a regex feature with no linear-time engine): a rule pack skips
    /// such a rule with one line, unless `--strict`; any other error stops the load.
    public let isUnsupported: Bool
    /// Unsupported only for want of placeholder values the user can give
    /// (`--placeholders`): counted apart in the load summary.
    public let needsPlaceholderValues: Bool

    public init(_ location: RuleLocation, _ problem: String, unsupported: Bool = false, needsPlaceholderValues: Bool = false) {
        self.location = location
        self.problem = problem
        self.isUnsupported = unsupported || needsPlaceholderValues
        self.needsPlaceholderValues = needsPlaceholderValues
    }

    public init(file: String, line: Int, _ problem: String, unsupported: Bool = false) {
        self.init(RuleLocation(file: file, line: line), problem, unsupported: unsupported)
    }

    /// Line 0 means "the whole file" (unreadable path, empty file): no line is shown.
    public var description: String {
        location.line > 0 ? "\(location.file):\(location.line): \(problem)" : "\(location.file): \(problem)"
    }
}
