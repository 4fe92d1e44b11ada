import SecStreamCore

/// Why a flag's value was refused: the value as given and what is wrong
/// with it, phrased to follow "is" ("'5x' is not a duration (e.g. 30s)").
///
/// The value types of `Options/` throw it from their parsers; a run turns it
/// into a usage error (exit 2) naming the flag with `usage(_:)`. The CLI's
/// `ExpressibleByArgument` conformances hand `reason` to ArgumentParser's
/// one-line error, which already names the flag and the value.
public struct OptionValueError: Error, CustomStringConvertible, Equatable {
    public var value: String
    public var reason: String

    public init(_ value: String, _ reason: String) {
        self.value = value
        self.reason = reason
    }

    public var description: String { "'\(value)' is \(reason)" }

    /// The usage error a run ends with: `--flag: 'value' is reason`.
    public func usage(_ flag: String) -> RunError { RunError(.usage, "\(flag): \(description)") }
}

/// Range checks of values that are well-formed but unusable where they go
/// (a 32-bit Kafka field, a buffer size, a thread count). Each failure is a
/// usage error naming the flag; nothing out of range reaches a narrowing
/// conversion or overflowing arithmetic, where it would trap.
public enum OptionRange {
    /// `value` when it lies in `range`; otherwise a usage error naming `flag`
    /// that says the bound it crossed, and, past the upper one, `why` that
    /// bound exists when given.
    @discardableResult
    public static func check<T: Comparable & CustomStringConvertible>(
        _ value: T, _ flag: String, in range: ClosedRange<T>, because why: String? = nil
    ) throws -> T {
        if value < range.lowerBound {
            throw OptionValueError("\(value)", "less than \(range.lowerBound)").usage(flag)
        }
        if value > range.upperBound {
            throw OptionValueError("\(value)", "more than \(range.upperBound)" + (why.map { " (\($0))" } ?? "")).usage(flag)
        }
        return value
    }

    /// `value` narrowed to `T` (a wire field's width) when it lies in `range`;
    /// a usage error naming `flag` otherwise (see `check`), before the conversion.
    public static func narrow<T: FixedWidthInteger>(
        _ value: Int, to: T.Type, _ flag: String, in range: ClosedRange<T>, because why: String? = nil
    ) throws -> T {
        try check(value, flag, in: Int(range.lowerBound)...Int(range.upperBound), because: why)
        return T(value)
    }
}
