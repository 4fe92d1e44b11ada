/// `secstream generate`: deterministic synthetic ECS logs with injected
/// attacks, decoys, late and malformed lines. Writes NDJSON bytes to a
/// caller-supplied closure (files, compression and stdout are the caller's).
///
/// Determinism: everything derives from `config.seed` through separate
/// xoshiro256** streams (background, attacks, lateness, malformed lines), so
/// the same configuration gives the same bytes, and turning on late or
/// malformed lines does not change the events themselves.
public final class Generator {
    public let config: GeneratorConfig

    /// Bytes handed to the output closure at a time (except when pacing
    /// flushes earlier so a live consumer sees events promptly).
    public static let flushBytes = 1 << 20

    public init(config: GeneratorConfig) throws {
        try config.validate()
        self.config = config
    }

    /// Generates the whole run. `output` receives consecutive chunks of
    /// complete lines; the pointer is valid only during the call. `written`
    /// hears the events written so far after each chunk (a progress line).
    @discardableResult
    public func run(clock: PacingClock = SystemPacingClock(), written: (Int) -> Void = { _ in },
                    output: (UnsafeRawBufferPointer) throws -> Void) throws -> GenerationReport {
        let total = config.resolvedEvents()
        let spanMs = config.resolvedSpanMs()
        let startMs = config.startMs
        let seed = config.seed

        // Host pools grow with density so each host's rate (and so every
        // rule-relevant count) stays as in the 200 events/s baseline.
        let density = Double(total) / (Double(spanMs) / 1000)
        let scale = Int(min(2048, max(1, (density / GeneratorConfig.backgroundRate).rounded(.up))))
        let plan = AddressPlan(densityScale: scale)

        var planner = AttackPlanner(plan: plan, startMs: startMs, spanMs: spanMs, seed: Xoshiro256.mix(seed ^ 0xA77A_C4))
        planner.plan(config.scenarios)
        var injected = planner.events

        var background = BackgroundTraffic(plan: plan, seed: Xoshiro256.mix(seed ^ 0xB4C6))
        // --profile habits: the habit background replaces the uniform one
        // (same seed stream), and the learned episodes join the injected ones.
        var habits: HabitTraffic?
        var learned: LearnedScenarioPlanner?
        if config.profile == .habits {
            let population = HabitPopulation(plan: plan, eventsPerSecond: density)
            var l = LearnedScenarioPlanner(population: population, startMs: startMs, spanMs: spanMs, seed: Xoshiro256.mix(seed ^ 0x1EA2_4ED))
            l.plan(config.learnedScenarios)
            injected = (injected + l.events).enumerated().sorted { a, b in
                a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
            }.map(\.element)
            learned = l
            habits = HabitTraffic(population: population, eventsPerSecond: density, seed: Xoshiro256.mix(seed ^ 0xB4C6))
        }
        var lateRng = Xoshiro256(seed: Xoshiro256.mix(seed ^ 0x1A7E))
        var malformed = MalformedLines(seed: Xoshiro256.mix(seed ^ 0xBAD))

        let sink = OutputBuffer(capacity: Generator.flushBytes + (1 << 16))
        var renderer = EventRenderer(out: sink)
        var late = LateEventQueue()
        var pacer = Pacer(rate: config.rate, clock: clock)
        var report = GenerationReport()
        report.startMs = startMs
        report.spanMs = spanMs
        report.truth = planner.truth
        report.decoys = planner.decoys
        report.learnedTruth = learned?.truth ?? []
        report.learnedDecoys = learned?.decoys ?? []

        func lineDone() throws {
            if sink.count >= Generator.flushBytes { try flush() }
            if pacer.lineWritten() { try flush(); pacer.wait() }
        }
        func flush() throws {
            if sink.count > 0 { try output(sink.bytes) }
            sink.removeAll()
            written(report.events)
        }
        func writeEvent(_ e: SyntheticEvent) throws {
            renderer.render(e)
            report.events += 1
            try lineDone()
        }

        let backgroundCount = max(0, total - injected.count)
        let step = Double(spanMs) / Double(max(1, backgroundCount))
        var bi = 0, ii = 0
        let lateFraction = config.lateFraction, maxLateness = config.maxLatenessMs
        let malformedFraction = config.malformedFraction

        while bi < backgroundCount || ii < injected.count {
            let bt = bi < backgroundCount ? startMs + Int64(Double(bi) * step) : Int64.max
            let e: SyntheticEvent
            if ii < injected.count && injected[ii].time < bt {
                e = injected[ii]
                ii += 1
            } else {
                e = habits != nil ? habits!.next(at: bt) : background.next(at: bt)
                bi += 1
            }

            // Malformed lines: geometric count per event, so they make up
            // `malformedFraction` of all lines.
            while malformedFraction > 0 && malformed.rng.chance(malformedFraction) {
                var benign = SyntheticEvent(time: e.time, dataset: .web, flat: false,
                                            sourceIP: plan.external(malformed.rng.below(plan.externals)))
                benign.path = .site(UInt16(malformed.rng.below(Vocabulary.sitePaths.count)))
                malformed.write(malformed.nextKind(), time: e.time, benign: benign, renderer: &renderer)
                report.malformedLines += 1
                try lineDone()
            }

            // Held events whose delay has passed go out before any newer
            // event: whatever was written before them is older than their
            // release time, hence at most `maxLateness` ahead of them.
            while let r = late.nextRelease, r <= e.time {
                try writeEvent(late.pop())
            }
            if lateFraction > 0 && lateRng.chance(lateFraction) {
                late.push(e, release: e.time + 1 + Int64(lateRng.below(Int(maxLateness))))
                report.lateEvents += 1
                continue
            }
            try writeEvent(e)
        }
        while !late.isEmpty { try writeEvent(late.pop()) }
        try flush()
        return report
    }
}

/// Keeps `--rate` lines per second of wall-clock time, checked in chunks of
/// about 10 ms worth of lines.
struct Pacer {
    let rate: Double
    let clock: PacingClock
    let chunk: Int
    private var lines = 0
    private var startNanos: UInt64 = 0

    init(rate: Double, clock: PacingClock) {
        self.rate = rate
        self.clock = clock
        chunk = max(1, Int(rate / 100))
        if rate > 0 { startNanos = clock.nowNanos() }
    }

    /// Counts a line; true when it is time to wait.
    mutating func lineWritten() -> Bool {
        guard rate > 0 else { return false }
        lines += 1
        return lines % chunk == 0
    }

    /// Sleeps until `lines` lines are due.
    func wait() {
        let due = startNanos + UInt64(Double(lines) / rate * 1e9)
        let now = clock.nowNanos()
        if due > now { clock.sleep(nanos: due - now) }
    }
}
