import SecStreamCore

/// `--scenarios`: comma-separated scenario names (threshold or learned),
/// `all` or `none`.
public struct ScenarioList: Equatable, Sendable, CustomStringConvertible {
    public var selection: ScenarioSelection
    /// The threshold scenarios named (all of them for `all`).
    public var scenarios: [Scenario] { selection.all ? Scenario.allCases : selection.threshold }

    public init(parsing text: String) throws {
        do { selection = try ScenarioSelection.parse(text) } catch GeneratorError.invalidConfiguration(let why) {
            throw OptionValueError(text, "not a list of scenarios: \(why)")
        }
    }

    public var description: String {
        if selection.all { return "all" }
        let names = selection.threshold.map(\.rawValue) + selection.learned.map(\.rawValue)
        return names.isEmpty ? "none" : names.joined(separator: ",")
    }
}
