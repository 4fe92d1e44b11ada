/// What `secstream replay` was asked to do: the archive and time range, plus
/// the rule and output options it shares with `process` (`rules`, field map,
/// alerts, dead letters, lateness, fail-on-alert).
public struct ReplayOptions {
    public var archive = ""
    public var from: String?
    public var to: String?
    /// A factor of event time (`10` = ten times faster than it happened) or `max`.
    public var speed = "max"
    public var rules = ProcessOptions()
    /// Objects fetched and decompressed at once.
    public var parallelism = 4

    public init() {}
}
