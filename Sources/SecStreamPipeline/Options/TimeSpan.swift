import SecStreamCore

/// A length of time as flags take it: an integer and a unit (`500ms`, `30s`,
/// `5m`, `1h`, `2d`, `1w`) or a bare `0`, held in milliseconds, the unit of
/// event time. (Not `Swift.Duration`: event-time arithmetic is `Int64` ms.)
///
/// A parsed span is at most `maximum` (100 years): any event time secstream
/// accepts (years 0000-9999) plus or minus a span stays far inside `Int64`,
/// so no watermark, window or deadline computed from one can overflow.
public struct TimeSpan: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static let zero = TimeSpan(milliseconds: 0)
    /// 36500d: the longest span any flag takes.
    public static let maximum = days(36_500)

    public static func milliseconds(_ n: Int64) -> TimeSpan { TimeSpan(milliseconds: n) }
    public static func seconds(_ n: Int64) -> TimeSpan { TimeSpan(milliseconds: n * 1000) }
    public static func minutes(_ n: Int64) -> TimeSpan { TimeSpan(milliseconds: n * 60_000) }
    public static func hours(_ n: Int64) -> TimeSpan { TimeSpan(milliseconds: n * 3_600_000) }
    public static func days(_ n: Int64) -> TimeSpan { TimeSpan(milliseconds: n * 86_400_000) }

    static let examples = "e.g. 500ms, 30s, 5m, 1h, 2d"

    /// Parses `text`; the error says whether it is malformed, negative or too long.
    public init(parsing text: String) throws {
        guard let ms = Durations.parseMs(text) else {
            let t = text.trimmedOfBlanks
            if t.hasPrefix("-") { throw OptionValueError(text, "negative: a duration is 0 or more (\(Self.examples))") }
            let digits = t.prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, ["ms", "s", "m", "h", "d", "w"].contains(String(t.dropFirst(digits.count))) {
                throw OptionValueError(text, "more than \(Self.maximum) (100 years), the longest duration secstream takes")
            }
            throw OptionValueError(text, "not a duration (\(Self.examples))")
        }
        guard ms <= Self.maximum.milliseconds else {
            throw OptionValueError(text, "more than \(Self.maximum) (100 years), the longest duration secstream takes")
        }
        milliseconds = ms
    }

    /// The shortest exact spelling: `5m`, `1500ms`, `2d`.
    public var description: String { Durations.format(milliseconds) }

    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.milliseconds < b.milliseconds }
}

extension String {
    /// The string without leading and trailing spaces and tabs (as `Durations` reads it).
    var trimmedOfBlanks: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
