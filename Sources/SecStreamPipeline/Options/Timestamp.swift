import SecStreamCore

/// An event time as flags take it (`--from`, `--to`, `--start`): a date
/// (`2026-11-20`, midnight UTC), an RFC 3339 date-time
/// (`2026-11-20T13:00:00Z`, any offset), or epoch milliseconds.
///
/// Only years 0000-9999 are accepted (RFC 3339's four digits), so a time plus
/// or minus any `TimeSpan` stays far inside `Int64`.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// 0000-01-01T00:00:00.000Z through 9999-12-31T23:59:59.999Z.
    public static let range = Timestamp(milliseconds: -62_167_219_200_000)...Timestamp(milliseconds: 253_402_300_799_999)

    /// Parses `text`; the error says whether it is malformed or outside years 0000-9999.
    public init(parsing text: String) throws {
        guard let ms = EventTime.parseCLITime(text) else {
            throw OptionValueError(text, "not a time (RFC 3339 such as 2026-11-20T13:00:00Z, a date such as 2026-11-20, or epoch milliseconds)")
        }
        guard Self.range.contains(Timestamp(milliseconds: ms)) else {
            throw OptionValueError(text, "outside the years 0000-9999")
        }
        milliseconds = ms
    }

    /// `2026-11-20T13:00:00.000Z`.
    public var description: String { EventTime.format(milliseconds) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }
}
