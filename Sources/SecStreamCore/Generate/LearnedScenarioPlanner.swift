/// Builds the episodes of the learned scenarios and their decoys over a
/// `HabitPopulation` (`--profile habits`): a small time-sorted list of
/// events plus their truth and decoy records.
///
/// Each learned attack runs once per `sliceMs` of the run (each in its own
/// slice, at least once), each on its own user or workstation, so a month
/// measures recall on ten of each. Every episode stays below every built-in
/// threshold rule by construction:
/// - slow-brute-force: one failure every 2–5 minutes from one source to one
///   account (brute-force counts 20 a minute; password-spray 10 accounts);
/// - new-source-login: 1–3 successful logins, no failures;
/// - off-hours-exfiltration: ten times the workstation's office-hour volume,
///   at most 10 × 40 MB × 1.1 < 500 MB in all (the exfiltration rule's 15 minutes).
/// The decoys are the organisation's own: new hires (every `newUserSliceMs`)
/// and the Monday 08:00 reports of `HabitPopulation.mondayPeakHosts`. They
/// come with every habits run, whatever `--scenarios` says, because they are
/// habits, not attacks: a training month must hold the Mondays too.
struct LearnedScenarioPlanner {
    typealias W = WorkWeek

    let population: HabitPopulation
    let runStartMs: Int64
    let runSpanMs: Int64
    let seed: UInt64
    var rng: Xoshiro256

    private(set) var events: [SyntheticEvent] = []
    private(set) var truth: [LearnedTruthRecord] = []
    private(set) var decoys: [LearnedTruthRecord] = []
    private var nextAttacker = 0

    static let sliceMs: Int64 = 3 * WorkWeek.dayMs
    static let newUserSliceMs: Int64 = WorkWeek.weekMs
    static let maxPerScenario = 25
    static let maxNewUsers = 10
    static let edgeMarginMs: Int64 = 60_000
    /// The ratio of an exfiltration or a Monday report to the workstation's
    /// usual office hour.
    static let volumeFactor = 10.0

    init(population: HabitPopulation, startMs: Int64, spanMs: Int64, seed: UInt64) {
        self.population = population
        runStartMs = startMs
        runSpanMs = spanMs
        self.seed = seed
        rng = Xoshiro256(seed: seed)
    }

    private var runEndMs: Int64 { runStartMs + runSpanMs }

    mutating func plan(_ scenarios: [LearnedScenario]) {
        let perScenario = Int(min(Int64(LearnedScenarioPlanner.maxPerScenario), max(1, runSpanMs / LearnedScenarioPlanner.sliceMs)))
        // Distinct victims for every episode; the Monday hosts keep their habit.
        let peaks = population.mondayPeakHosts
        let candidates = (0..<population.users).filter { !peaks.contains($0) }
        let n = min(perScenario, candidates.count / max(1, scenarios.count))
        var victims = distinct(n * scenarios.count, of: candidates.count).map { candidates[$0] }
        for s in LearnedScenario.allCases where scenarios.contains(s) {
            for i in 0..<n {
                let slice = (runStartMs + runSpanMs * Int64(i) / Int64(n), runStartMs + runSpanMs * Int64(i + 1) / Int64(n))
                let u = victims.removeFirst()
                switch s {
                case .slowBruteForce: slowBruteForce(user: u, slice: slice)
                case .newSourceLogin: newSourceLogin(user: u, slice: slice)
                case .offHoursExfiltration: offHoursExfiltration(host: u, slice: slice)
                }
            }
        }
        newUsers()
        mondayPeaks()
        events = events.enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }.map(\.element)
        truth.sort { $0.windowStartMs < $1.windowStartMs }
        decoys.sort { $0.windowStartMs < $1.windowStartMs }
    }

    // MARK: placement

    /// A start time in `slice` such that `[start, start + durationMs]` lies in
    /// the run's margins and starts within `hours` of a day (a weekday if
    /// asked; any day when the slice has none that fits).
    private mutating func place(_ slice: (Int64, Int64), hours: ClosedRange<Int>, weekday: Bool, durationMs: Int64) -> Int64 {
        let lo = max(slice.0, runStartMs + LearnedScenarioPlanner.edgeMarginMs)
        let hi = min(slice.1, runEndMs - LearnedScenarioPlanner.edgeMarginMs - durationMs)
        guard hi > lo else { return max(runStartMs, min(lo, runEndMs - durationMs)) }
        for requireWeekday in weekday ? [true, false] : [false] {
            var ranges: [(Int64, Int64)] = []
            var day = W.midnight(lo)
            while day <= hi {
                if !requireWeekday || W.weekday(day) < 5 {
                    let a = max(lo, day + Int64(hours.lowerBound) * W.hourMs)
                    let b = min(hi, day + Int64(hours.upperBound + 1) * W.hourMs - 1)
                    if b >= a { ranges.append((a, b)) }
                }
                day += W.dayMs
            }
            if !ranges.isEmpty {
                let r = ranges[rng.below(ranges.count)]
                return r.0 + Int64(rng.below(Int(r.1 - r.0) + 1))
            }
        }
        return lo + Int64(rng.below(Int(hi - lo) + 1))
    }

    /// `n` distinct values of `0..<count`, in random order (partial Fisher-Yates).
    private mutating func distinct(_ n: Int, of count: Int) -> [Int] {
        var all = Array(0..<count)
        for i in 0..<min(n, count) { all.swapAt(i, i + rng.below(count - i)) }
        return Array(all[0..<min(n, count)])
    }

    /// An attacker address unique to this seed and episode, in 100.64.0.0/10
    /// (shared address space): never a habit address, never a threshold
    /// scenario's, and different per seed so a held-out month's attacker is
    /// not one the training month already showed for the same user.
    private mutating func attacker() -> UInt32 {
        defer { nextAttacker += 1 }
        let h = UInt32(truncatingIfNeeded: Xoshiro256.mix(seed &+ 0xA77 &+ UInt64(nextAttacker) &* 0x1_0001)) & 0x003F_FFFF
        let last = h & 0xFF
        return 0x6440_0000 | ((last == 0 || last == 255) ? (h & 0x003F_FF00) | 9 : h)
    }

    private mutating func login(_ t: Int64, from ip: UInt32, user: Int, success: Bool, host: Int) -> SyntheticEvent {
        var e = SyntheticEvent(time: t, dataset: .auth, flat: rng.below(4) == 0, sourceIP: ip)
        e.user = .pool(Int32(user))
        e.success = success
        e.host = Int32(host)
        e.sourcePort = UInt16(rng.inRange(32768, 60999))
        return e
    }

    private mutating func upload(_ t: Int64, from ip: UInt32, to dst: UInt32, bytes: Int64) -> SyntheticEvent {
        var e = SyntheticEvent(time: t, dataset: .network, flat: rng.below(4) == 0, sourceIP: ip)
        e.destinationIP = dst
        e.destinationPort = 443
        e.sourcePort = UInt16(rng.inRange(32768, 60999))
        e.sourceBytes = bytes
        e.destinationBytes = Int64(5000 + rng.below(50_000))
        return e
    }

    /// `volumeFactor` × the host's office hour (±10 %) in `k` uploads spread
    /// over `durationMs` from `t0`.
    private mutating func uploads(host u: Int, to dst: UInt32, from t0: Int64, durationMs: Int64, k: Int) -> [SyntheticEvent] {
        let total = Double(population.hourlyBytes(u)) * LearnedScenarioPlanner.volumeFactor * (0.9 + 0.2 * rng.unit())
        let ts = [t0] + (1..<k).map { _ in t0 + 1 + Int64(rng.below(Int(durationMs))) }.sorted()
        return ts.map { upload($0, from: population.workstation(u), to: dst, bytes: Int64(total / Double(k))) }
    }

    private mutating func record(_ s: LearnedScenario, _ group: [TruthField], _ ep: [SyntheticEvent], decoy: String? = nil) {
        let r = LearnedTruthRecord(scenario: s, group: group, windowStartMs: ep.map(\.time).min() ?? 0,
                                   windowEndMs: ep.map(\.time).max() ?? 0, events: ep.count, decoy: decoy)
        if decoy == nil { truth.append(r) } else { decoys.append(r) }
        events += ep
    }

    // MARK: attacks

    /// One failed login every 2–5 minutes for 3–5 hours against one account
    /// (on one of its servers), from one new address, at any hour: 36–150
    /// failures where the account fails about one login in a working day.
    private mutating func slowBruteForce(user u: Int, slice: (Int64, Int64)) {
        let duration = Int64(rng.inRange(3, 5)) * W.hourMs
        let ip = attacker(), host = population.server(u, 0)
        var t = place(slice, hours: 0...23, weekday: false, durationMs: duration)
        let end = t + duration
        var ep: [SyntheticEvent] = []
        while t <= end {
            ep.append(login(t, from: ip, user: u, success: false, host: host))
            t += 120_000 + Int64(rng.below(180_000))
        }
        record(.slowBruteForce, [TruthField("user.name", HabitPopulation.userName(u)), TruthField("source.ip", ipString(ip))], ep)
    }

    /// 1–3 successful logins within half an hour of an office hour on a
    /// weekday, from an address the user never used: stolen credentials.
    private mutating func newSourceLogin(user u: Int, slice: (Int64, Int64)) {
        let ip = attacker(), host = population.server(u, rng.below(HabitPopulation.serversPerUser))
        let t0 = place(slice, hours: 9...16, weekday: true, durationMs: 1_800_000)
        let ts = [t0] + (0..<rng.below(3)).map { _ in t0 + 1 + Int64(rng.below(1_800_000)) }.sorted()
        let ep = ts.map { login($0, from: ip, user: u, success: true, host: host) }
        record(.newSourceLogin, [TruthField("user.name", HabitPopulation.userName(u)), TruthField("source.ip", ipString(ip))], ep)
    }

    /// Ten times the workstation's office-hour volume in 8–12 uploads over
    /// 30–50 minutes starting between 01:00 and 03:59, to one internet address.
    private mutating func offHoursExfiltration(host u: Int, slice: (Int64, Int64)) {
        let duration = Int64(rng.inRange(30, 50)) * 60_000
        let t0 = place(slice, hours: 1...3, weekday: false, durationMs: duration)
        let dst = population.plan.external(rng.below(population.plan.externals))
        let ep = uploads(host: u, to: dst, from: t0, durationMs: duration, k: rng.inRange(8, 12))
        record(.offHoursExfiltration, [TruthField("source.ip", ipString(population.workstation(u)))], ep)
    }

    // MARK: decoys

    /// New hires, one per week of the run: a user with no history (a pool
    /// index above the population, different per seed) who starts on a
    /// weekday morning from a new workstation (and, for half of them, a new
    /// VPN address; both used on the first day), then logs in every
    /// weekday's office hours until the run ends, only from those.
    private mutating func newUsers() {
        let plan = population.plan
        let m = Int(min(Int64(LearnedScenarioPlanner.maxNewUsers), max(1, runSpanMs / LearnedScenarioPlanner.newUserSliceMs)))
        for i in 0..<m {
            let salt = Xoshiro256.mix(seed &* 0x51 &+ UInt64(i) &+ 0x4E3)
            let u = population.users + 1000 + Int(salt % 2_000_000)
            let spare = plan.clients - population.users - 100
            let workstation = plan.client(population.users + 100 + Int((salt >> 24) % UInt64(max(1, spare))))
            let vpn: UInt32? = rng.below(2) == 0 ? plan.external(Int((salt >> 8) % UInt64(plan.externals))) : nil
            let slice = (runStartMs + runSpanMs * Int64(i) / Int64(m), runStartMs + runSpanMs * Int64(i + 1) / Int64(m))
            let t0 = place(slice, hours: 8...10, weekday: true, durationMs: W.hourMs)
            func server() -> Int { population.server(u, rng.below(HabitPopulation.serversPerUser)) }
            var ep = [login(t0, from: workstation, user: u, success: true, host: server())]
            if let vpn { ep.append(login(t0 + 600_000 + Int64(rng.below(1_800_000)), from: vpn, user: u, success: true, host: server())) }
            var day = W.midnight(t0)
            let last = runEndMs - LearnedScenarioPlanner.edgeMarginMs
            while day < last {
                if W.weekday(day) < 5 {
                    let from = max(day + 9 * W.hourMs, ep.last!.time + 1), to = min(day + 17 * W.hourMs, last)
                    if to > from {
                        for t in (0..<rng.inRange(8, 16)).map({ _ in from + Int64(rng.below(Int(to - from))) }).sorted() {
                            let ip = vpn != nil && rng.chance(HabitTraffic.vpnLoginChance) ? vpn! : workstation
                            ep.append(login(t, from: ip, user: u, success: !rng.chance(HabitTraffic.failedLoginChance), host: server()))
                        }
                    }
                }
                day += W.dayMs
            }
            record(.newSourceLogin, [TruthField("user.name", HabitPopulation.userName(u))], ep, decoy: LearnedDecoy.newUser)
        }
    }

    /// Every Monday 08:00–08:55 each Monday-peak host sends ten times its
    /// office hour to its backup peer: seasonal, so normal for the host.
    private mutating func mondayPeaks() {
        var day = W.midnight(runStartMs)
        while day < runEndMs {
            if W.weekday(day) == 0 {
                for u in population.mondayPeakHosts {
                    let t0 = day + 8 * W.hourMs + Int64(rng.below(300_000))
                    guard t0 >= runStartMs + LearnedScenarioPlanner.edgeMarginMs,
                          t0 + W.hourMs <= runEndMs - LearnedScenarioPlanner.edgeMarginMs else { continue }
                    let ep = uploads(host: u, to: population.backupPeer(u), from: t0, durationMs: 50 * 60_000, k: rng.inRange(10, 14))
                    record(.offHoursExfiltration, [TruthField("source.ip", ipString(population.workstation(u)))], ep, decoy: LearnedDecoy.mondayPeak)
                }
            }
            day += W.dayMs
        }
    }
}
