import SecStreamCore

/// `--scenarios`: comma-separated scenario names, `all` or `none`.
public struct ScenarioList: Equatable, Sendable, CustomStringConvertible {
    public var scenarios: [Scenario]

    public init(parsing text: String) throws {
        do { scenarios = try Scenario.parseList(text) } catch GeneratorError.invalidConfiguration(let why) {
            throw OptionValueError(text, "not a list of scenarios: \(why)")
        }
    }

    public var description: String { scenarios.isEmpty ? "none" : scenarios.map(\.rawValue).joined(separator: ",") }
}
