/// Comma-separated dotted field names (`query --select`, `--count-by`):
/// `source.ip, user.name`. Blanks around a name are dropped; an empty name
/// (`a,,b`, a trailing comma) is refused.
public struct FieldList: Equatable, Sendable, CustomStringConvertible {
    public var names: [String]

    public init(_ names: [String]) { self.names = names }

    public init(parsing text: String) throws {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { String(String($0).trimmedOfBlanks) }
        guard !names.contains(where: \.isEmpty) else {
            throw OptionValueError(text, "not a comma-separated list of fields")
        }
        self.names = names
    }

    public var description: String { names.joined(separator: ",") }
}
