/// The options of `secstream generate`, already parsed (durations and times
/// in milliseconds). Defaults make a run reproducible without any flag.
public struct GeneratorConfig: Sendable {
    /// `--events N`: valid events to write (background + injected; never
    /// fewer than the injected episodes, about 600 per round). When both this
    /// and `durationMs` are nil, `defaultEvents`.
    public var events: Int?
    /// `--duration DUR`: event time to cover; with no `--events`, the event
    /// count follows from `rate` (or the background rate when rate is 0).
    public var durationMs: Int64?
    /// `--rate EPS`: lines per second of wall-clock time; 0 = as fast as possible.
    public var rate: Double = 0
    /// `--seed N`.
    public var seed: UInt64 = 1
    /// `--start TIME`: event time of the first event (epoch ms).
    public var startMs: Int64 = GeneratorConfig.defaultStartMs
    /// `--span DUR`: event time the run covers. Default: the duration, else
    /// events at `backgroundRate`, at least `AttackPlanner`'s minimum.
    public var spanMs: Int64?
    /// `--scenarios LIST`: attacks to inject, each with its decoys; one round
    /// of them per full 30 minutes of event time (at least one).
    public var scenarios: [Scenario] = Scenario.allCases
    /// `--profile`: what ordinary traffic looks like. Default: uniform (the
    /// bytes of earlier releases).
    public var profile: TrafficProfile = .uniform
    /// The learned scenarios of `--scenarios` (`--profile habits` only).
    public var learnedScenarios: [LearnedScenario] = []
    /// `--late-fraction F`: share of events written after later events.
    public var lateFraction: Double = 0
    /// `--max-lateness DUR`: how far (in event time) a late event may trail
    /// the newest event written before it. Keep it below `process --lateness`
    /// (default 30 s) for late events to still count.
    public var maxLatenessMs: Int64 = 10_000
    /// `--malformed-fraction F`: share of output lines that are malformed.
    public var malformedFraction: Double = 0

    /// 2026-11-20T00:00:00Z.
    public static let defaultStartMs: Int64 = 1_795_132_800_000
    public static let defaultEvents = 100_000
    /// Event rate of ordinary traffic used to derive a default span.
    public static let backgroundRate = 200.0
    /// Default event rate of `--profile habits`: one event a second, a month
    /// in 2.6 M events (200 users, each with about 18 logins a working day).
    public static let habitsRate = 1.0
    /// `--profile habits` covers at least a day: its rhythm is daily and weekly.
    public static let habitsMinimumSpanMs: Int64 = 86_400_000

    private var defaultRate: Double { profile == .habits ? GeneratorConfig.habitsRate : GeneratorConfig.backgroundRate }

    public init() {}

    /// The number of valid events the run writes.
    public func resolvedEvents() -> Int {
        if let n = events { return n }
        if let d = durationMs {
            let eps = rate > 0 ? rate : defaultRate
            return Int((Double(d) / 1000 * eps).rounded())
        }
        return GeneratorConfig.defaultEvents
    }

    /// The event-time span of the run.
    public func resolvedSpanMs() -> Int64 {
        if let s = spanMs { return s }
        if let d = durationMs { return d }
        let natural = Int64(Double(resolvedEvents()) / defaultRate * 1000)
        return scenarios.isEmpty ? max(1000, natural) : max(natural, 2 * AttackPlanner.minimumSpanMs)
    }

    /// Checks ranges; the error names the offending flag.
    public func validate() throws {
        func bad(_ m: String) -> GeneratorError { .invalidConfiguration(m) }
        if let n = events, n < 0 { throw bad("--events must be ≥ 0, got \(n)") }
        if let d = durationMs, d <= 0 { throw bad("--duration must be positive") }
        if !(rate >= 0 && rate.isFinite) { throw bad("--rate must be ≥ 0, got \(rate)") }
        if !(0...0.5).contains(lateFraction) { throw bad("--late-fraction must be in [0, 0.5], got \(lateFraction)") }
        if !(0...0.5).contains(malformedFraction) { throw bad("--malformed-fraction must be in [0, 0.5], got \(malformedFraction)") }
        if maxLatenessMs < 1 { throw bad("--max-lateness must be at least 1ms") }
        let span = resolvedSpanMs()
        if span <= 0 { throw bad("--span must be positive") }
        if !learnedScenarios.isEmpty && profile != .habits {
            throw bad("--scenarios \(learnedScenarios.map(\.rawValue).joined(separator: ",")) needs --profile habits (a learned scenario departs from per-entity habits)")
        }
        if profile == .habits && span < GeneratorConfig.habitsMinimumSpanMs {
            throw bad("--profile habits needs --duration or --span of at least 1d, got \(span / 1000)s")
        }
        if !scenarios.isEmpty && span < AttackPlanner.minimumSpanMs {
            throw bad("--span \(span / 1000)s is too short for the scenarios (need ≥ \(AttackPlanner.minimumSpanMs / 60_000)m, or --scenarios none)")
        }
    }
}
