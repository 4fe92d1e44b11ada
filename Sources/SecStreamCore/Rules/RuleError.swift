/// A problem in a rule file, field map or rule path: one line, `file:line: problem`.
///
/// The loader throws it for the first problem it meets, so nothing runs on a
/// half-loaded rule set.
public struct RuleError: Error, CustomStringConvertible, Equatable {
    public let location: RuleLocation
    public let problem: String

    public init(_ location: RuleLocation, _ problem: String) {
        self.location = location
        self.problem = problem
    }

    public init(file: String, line: Int, _ problem: String) {
        self.init(RuleLocation(file: file, line: line), problem)
    }

    /// Line 0 means "the whole file" (unreadable path, empty file): no line is shown.
    public var description: String {
        location.line > 0 ? "\(location.file):\(location.line): \(problem)" : "\(location.file): \(problem)"
    }
}
