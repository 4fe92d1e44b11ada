import SecStreamCore

/// Turns flag strings into values, failing with a usage error (exit 2) that
/// names the flag.
enum OptionParsing {
    static func duration(_ text: String, flag: String) throws -> Int64 {
        guard let ms = Durations.parseMs(text), ms >= 0 else {
            throw RunError(.usage, "\(flag): '\(text)' is not a duration (e.g. 500ms, 30s, 5m, 1h, 2d)")
        }
        return ms
    }

    static func time(_ text: String, flag: String) throws -> Int64 {
        guard let ms = EventTime.parseCLITime(text) else {
            throw RunError(.usage, "\(flag): '\(text)' is not a time (RFC 3339, a date, or epoch milliseconds)")
        }
        return ms
    }
}
