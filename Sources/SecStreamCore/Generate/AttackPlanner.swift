/// Builds the injected episodes — attacks that must raise exactly one alert
/// of their rule, and decoys (near misses) that must raise none — as a small
/// time-sorted list of events plus their truth records.
///
/// How "exactly one alert" is kept under the window semantics (docs/windows.md):
/// - tumbling rules (brute-force, port-scan): the whole burst lies inside one
///   epoch-aligned bucket, at least the threshold, and the rule fires once
///   per (rule, group, bucket);
/// - sliding rules: every matching event lies within less than the timespan,
///   and their number is in `threshold ... 2*threshold-1`, so after the
///   firing resets the group state the rest can never fire again;
/// - every episode has its own source address, never used by anything else.
struct AttackPlanner {
    typealias C = ScenarioConstants

    let plan: AddressPlan
    let runStartMs: Int64
    let runSpanMs: Int64
    var rng: Xoshiro256
    /// The part of the run the current round of episodes is placed in.
    private var startMs: Int64
    private var spanMs: Int64

    private(set) var events: [SyntheticEvent] = []
    private(set) var truth: [TruthRecord] = []
    private(set) var decoys: [TruthRecord] = []
    private var nextExternal = 0
    private var nextInternal = 0

    /// Margin kept free at both ends of the run so no episode is cut off.
    static let edgeMarginMs: Int64 = 60_000
    /// The longest episode (the slow spray decoy) plus both margins.
    static let minimumSpanMs: Int64 = 15 * 60_000
    /// Long runs get one round of every selected attack and decoy per this
    /// much event time (each round in its own slice of the run), so a large
    /// run measures recall on many attacks, not one of each.
    static let roundSpanMs: Int64 = 30 * 60_000
    /// Enough rounds for a day; stays within the attacker address ranges
    /// (13 external attackers per round out of 762).
    static let maxRounds = 48

    init(plan: AddressPlan, startMs: Int64, spanMs: Int64, seed: UInt64) {
        self.plan = plan
        runStartMs = startMs
        runSpanMs = spanMs
        self.startMs = startMs
        self.spanMs = spanMs
        rng = Xoshiro256(seed: seed)
    }

    static func rounds(spanMs: Int64) -> Int {
        Int(min(Int64(maxRounds), max(1, spanMs / roundSpanMs)))
    }

    mutating func plan(_ scenarios: [Scenario]) {
        let rounds = AttackPlanner.rounds(spanMs: runSpanMs)
        for round in 0..<rounds {
            startMs = runStartMs + runSpanMs * Int64(round) / Int64(rounds)
            spanMs = runStartMs + runSpanMs * Int64(round + 1) / Int64(rounds) - startMs
            for s in Scenario.allCases where scenarios.contains(s) {
                switch s {
                case .bruteForce: bruteForce()
                case .passwordSpray: passwordSpray()
                case .portScan: portScan()
                case .hostSweep: hostSweep()
                case .exfiltration: exfiltration()
                case .webScan: webScan()
                case .dnsTunnel: dnsTunnel()
                case .bruteForceSuccess: bruteForceSuccess()
                }
            }
        }
        // Stable sort keeps each episode's own order for equal times.
        events = events.enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }.map(\.element)
        truth.sort { $0.windowStartMs < $1.windowStartMs }
        decoys.sort { $0.windowStartMs < $1.windowStartMs }
    }

    // MARK: placement

    /// A start time leaving `durationMs` before the end margin.
    private mutating func placeEpisode(durationMs: Int64) -> Int64 {
        let lo = startMs + AttackPlanner.edgeMarginMs
        let hi = max(lo, startMs + spanMs - AttackPlanner.edgeMarginMs - durationMs)
        return lo + Int64(rng.below(Int(hi - lo) + 1))
    }

    /// Start of an epoch-aligned bucket of `bucketMs` lying (with `extraMs`
    /// after it) inside the run's margins.
    private mutating func placeBucket(_ bucketMs: Int64, extraMs: Int64 = 0) -> Int64 {
        let lo = startMs + AttackPlanner.edgeMarginMs
        let first = (lo + bucketMs - 1) / bucketMs
        let last = (startMs + spanMs - AttackPlanner.edgeMarginMs - extraMs) / bucketMs - 1
        return (first + Int64(rng.below(Int(max(0, last - first)) + 1))) * bucketMs
    }

    /// `n` sorted times in `[from, from + widthMs)`.
    private mutating func times(_ n: Int, from: Int64, widthMs: Int64) -> [Int64] {
        (0..<n).map { _ in from + Int64(rng.below(Int(widthMs))) }.sorted()
    }

    /// `n` distinct values of `0..<count`, in random order (partial Fisher-Yates).
    private mutating func distinct(_ n: Int, of count: Int) -> [Int] {
        var all = Array(0..<count)
        for i in 0..<n {
            let j = i + rng.below(count - i)
            all.swapAt(i, j)
        }
        return Array(all[0..<n])
    }

    private mutating func externalAttacker() -> UInt32 {
        defer { nextExternal += 1 }
        return AddressPlan.externalAttacker(nextExternal)
    }

    private mutating func internalAttacker() -> UInt32 {
        defer { nextInternal += 1 }
        return AddressPlan.internalAttacker(nextInternal)
    }

    private mutating func record(_ scenario: Scenario, rule: String? = nil, source: UInt32,
                                 _ episode: [SyntheticEvent], decoy: String? = nil) {
        let r = TruthRecord(scenario: scenario, ruleID: rule ?? scenario.ruleID, groupField: "source.ip",
                            groupValue: ipString(source),
                            windowStartMs: episode.map(\.time).min() ?? 0,
                            windowEndMs: episode.map(\.time).max() ?? 0,
                            events: episode.count, decoy: decoy)
        if decoy == nil { truth.append(r) } else { decoys.append(r) }
    }

    // MARK: event builders

    private mutating func login(_ time: Int64, from ip: UInt32, user: SyntheticEvent.User, success: Bool, host: Int) -> SyntheticEvent {
        var e = SyntheticEvent(time: time, dataset: .auth, flat: rng.below(4) == 0, sourceIP: ip)
        e.user = user
        e.success = success
        e.host = Int32(host)
        e.sourcePort = UInt16(rng.inRange(32768, 60999))
        return e
    }

    private mutating func flow(_ time: Int64, from ip: UInt32, to dst: UInt32, port: Int, sent: Int64, received: Int64) -> SyntheticEvent {
        var e = SyntheticEvent(time: time, dataset: .network, flat: rng.below(4) == 0, sourceIP: ip)
        e.destinationIP = dst
        e.destinationPort = UInt16(port)
        e.sourcePort = UInt16(rng.inRange(32768, 60999))
        e.sourceBytes = sent
        e.destinationBytes = received
        return e
    }

    /// Failed logins to one account on one server at the given times.
    private mutating func failedLogins(_ ts: [Int64], from ip: UInt32, user: SyntheticEvent.User, host: Int) -> [SyntheticEvent] {
        ts.map { login($0, from: ip, user: user, success: false, host: host) }
    }

    private mutating func guessedUser() -> SyntheticEvent.User {
        rng.below(2) == 0 ? .probe(UInt8(rng.below(2))) : .pool(Int32(rng.below(plan.users)))
    }

    // MARK: scenarios

    /// ≥ threshold failures in one tumbling minute; decoys: one below, and a
    /// burst split across a bucket boundary (each side below).
    private mutating func bruteForce() {
        let minute = C.bruteForceSpanMs
        do {
            let ip = externalAttacker(), b = placeBucket(minute)
            let n = rng.inRange(C.bruteForceFailures, C.bruteForceFailures + 10)
            let ep = failedLogins(times(n, from: b + 1000, widthMs: minute - 2000), from: ip, user: guessedUser(), host: rng.below(plan.dmzServers))
            events += ep
            record(.bruteForce, source: ip, ep)
        }
        do {
            let ip = externalAttacker(), b = placeBucket(minute)
            let ep = failedLogins(times(C.bruteForceFailures - 1, from: b + 1000, widthMs: minute - 2000), from: ip, user: guessedUser(), host: rng.below(plan.dmzServers))
            events += ep
            record(.bruteForce, source: ip, ep, decoy: "below-threshold")
        }
        do {
            // Enough failures within 60 s for a sliding window, split so each
            // tumbling bucket stays below the threshold.
            let ip = externalAttacker(), boundary = placeBucket(minute, extraMs: minute) + minute
            let before = rng.inRange(C.bruteForceFailures * 3 / 5, C.bruteForceFailures - 1)
            let after = rng.inRange(C.bruteForceFailures * 3 / 5, C.bruteForceFailures - 1)
            let user = guessedUser(), host = rng.below(plan.dmzServers)
            let ep = failedLogins(times(before, from: boundary - 25_000, widthMs: 25_000), from: ip, user: user, host: host)
                + failedLogins(times(after, from: boundary, widthMs: 25_000), from: ip, user: user, host: host)
            events += ep
            record(.bruteForce, source: ip, ep, decoy: "straddles-bucket-boundary")
        }
    }

    /// One failure for each of ≥ threshold distinct accounts within 3 minutes;
    /// decoys: one account short, and a slow spray (one try every ~40 s, so
    /// any 5-minute window holds at most 8 accounts).
    private mutating func passwordSpray() {
        func users(_ n: Int) -> [SyntheticEvent.User] {
            let base = rng.below(plan.users)
            return (0..<n).map { .pool(Int32((base + $0 * 7) % plan.users)) }
        }
        do {
            let ip = externalAttacker(), t0 = placeEpisode(durationMs: 180_000)
            let n = rng.inRange(C.sprayDistinctUsers, C.sprayDistinctUsers + C.sprayDistinctUsers / 2)
            let ts = times(n, from: t0, widthMs: 180_000), host = rng.below(plan.dmzServers)
            let ep = zip(ts, users(n)).map { login($0.0, from: ip, user: $0.1, success: false, host: host) }
            events += ep
            record(.passwordSpray, source: ip, ep)
        }
        do {
            let ip = externalAttacker(), t0 = placeEpisode(durationMs: 180_000)
            let n = C.sprayDistinctUsers - 1
            let ts = times(n, from: t0, widthMs: 180_000), host = rng.below(plan.dmzServers)
            let ep = zip(ts, users(n)).map { login($0.0, from: ip, user: $0.1, success: false, host: host) }
            events += ep
            record(.passwordSpray, source: ip, ep, decoy: "below-threshold")
        }
        do {
            let n = C.sprayDistinctUsers + 6
            let stepMs = C.spraySpanMs / Int64(C.sprayDistinctUsers - 2) + 2_000 // > span/8: ≤ 8 per window
            let ip = externalAttacker(), t0 = placeEpisode(durationMs: stepMs * Int64(n))
            let host = rng.below(plan.dmzServers)
            let ep = zip(0..<n, users(n)).map { i, u in
                login(t0 + Int64(i) * stepMs + Int64(rng.below(1000)), from: ip, user: u, success: false, host: host)
            }
            events += ep
            record(.passwordSpray, source: ip, ep, decoy: "slower-than-timespan")
        }
    }

    /// Connections to ≥ threshold distinct ports of one host in one tumbling
    /// minute; decoys: one port short, and a scan split across a boundary.
    private mutating func portScan() {
        let minute = C.portScanSpanMs
        func scan(_ ts: [Int64], ports: [Int], from ip: UInt32, to dst: UInt32) -> [SyntheticEvent] {
            zip(ts, ports).map { flow($0.0, from: ip, to: dst, port: $0.1 + 1, sent: 60, received: 40) }
        }
        do {
            let ip = externalAttacker(), b = placeBucket(minute)
            let n = rng.inRange(C.portScanDistinctPorts, C.portScanDistinctPorts * 3 / 2)
            let ep = scan(times(n, from: b + 500, widthMs: minute - 1000), ports: distinct(n, of: 1024), from: ip,
                          to: plan.server(rng.below(plan.dmzServers)))
            events += ep
            record(.portScan, source: ip, ep)
        }
        do {
            let ip = externalAttacker(), b = placeBucket(minute)
            let n = C.portScanDistinctPorts - 1
            let ep = scan(times(n, from: b + 500, widthMs: minute - 1000), ports: distinct(n, of: 1024), from: ip,
                          to: plan.server(rng.below(plan.dmzServers)))
            events += ep
            record(.portScan, source: ip, ep, decoy: "below-threshold")
        }
        do {
            let ip = externalAttacker(), boundary = placeBucket(minute, extraMs: minute) + minute
            let half = C.portScanDistinctPorts - 1
            let ports = distinct(2 * half, of: 1024), dst = plan.server(rng.below(plan.dmzServers))
            let ep = scan(times(half, from: boundary - 20_000, widthMs: 20_000), ports: Array(ports[0..<half]), from: ip, to: dst)
                + scan(times(half, from: boundary, widthMs: 20_000), ports: Array(ports[half...]), from: ip, to: dst)
            events += ep
            record(.portScan, source: ip, ep, decoy: "straddles-bucket-boundary")
        }
    }

    /// A compromised host probing ≥ threshold consecutive internal addresses
    /// on SMB within 3 minutes; decoy: one address short.
    private mutating func hostSweep() {
        for decoy in [nil, "below-threshold"] as [String?] {
            let ip = internalAttacker(), t0 = placeEpisode(durationMs: 180_000)
            let n = decoy == nil ? rng.inRange(C.hostSweepDistinctHosts, C.hostSweepDistinctHosts * 3 / 2) : C.hostSweepDistinctHosts - 1
            let first = rng.below(plan.clients - n)
            let ts = times(n, from: t0, widthMs: 180_000)
            let ep = (0..<n).map { flow(ts[$0], from: ip, to: plan.client(first + $0), port: 445, sent: 120, received: 0) }
            events += ep
            record(.hostSweep, source: ip, ep, decoy: decoy)
        }
    }

    /// Large uploads to one internet host within 10 minutes. Each chunk is
    /// in `(S/4, S/4 + S/16]`: three stay below S, four reach it, and the
    /// optional fifth alone is far below it. Decoy: four chunks summing to
    /// just under S.
    private mutating func exfiltration() {
        let s = C.exfiltrationBytes
        do {
            let ip = internalAttacker(), t0 = placeEpisode(durationMs: 600_000), dst = plan.external(rng.below(plan.externals))
            let n = 4 + rng.below(2)
            let ts = times(n, from: t0, widthMs: 600_000)
            let ep = ts.map { flow($0, from: ip, to: dst, port: 443, sent: s / 4 + 1 + Int64(rng.below(Int(s / 16))), received: 9000) }
            events += ep
            record(.exfiltration, source: ip, ep)
        }
        do {
            let ip = internalAttacker(), t0 = placeEpisode(durationMs: 600_000), dst = plan.external(rng.below(plan.externals))
            let ts = times(4, from: t0, widthMs: 600_000)
            let ep = ts.map { flow($0, from: ip, to: dst, port: 443, sent: s / 4 - 1000 - Int64(rng.below(5_000_000)), received: 9000) }
            events += ep
            record(.exfiltration, source: ip, ep, decoy: "below-threshold")
        }
    }

    /// A content-discovery scan: ≥ threshold distinct missing paths within
    /// 90 s (plus a few pages that exist, which do not count); decoy: one
    /// path short.
    private mutating func webScan() {
        for decoy in [nil, "below-threshold"] as [String?] {
            let ip = externalAttacker(), t0 = placeEpisode(durationMs: 90_000)
            let n = decoy == nil ? rng.inRange(C.webScanDistinctPaths, C.webScanDistinctPaths + 15) : C.webScanDistinctPaths - 1
            let paths = distinct(n, of: Vocabulary.scannerPaths.count)
            let agent = UInt8(rng.below(Vocabulary.scannerAgents.count))
            let extra = 3
            let ts = times(n + extra, from: t0, widthMs: 90_000)
            let ep = ts.enumerated().map { i, t -> SyntheticEvent in
                var e = SyntheticEvent(time: t, dataset: .web, flat: rng.below(4) == 0, sourceIP: ip)
                e.scannerAgent = true
                e.agent = agent
                if i < n {
                    e.path = .scanner(UInt16(paths[i]))
                    e.status = rng.below(8) == 0 ? 403 : 404
                } else {
                    e.path = .site(UInt16(rng.below(Vocabulary.sitePaths.count)))
                    e.status = 200
                }
                return e
            }
            events += ep
            record(.webScan, source: ip, ep, decoy: decoy)
        }
    }

    /// Data smuggled out in long hex labels: ≥ threshold distinct names within
    /// 4 minutes; decoy: one name short.
    private mutating func dnsTunnel() {
        for decoy in [nil, "below-threshold"] as [String?] {
            let ip = internalAttacker(), t0 = placeEpisode(durationMs: 240_000)
            let n = decoy == nil ? rng.inRange(C.dnsTunnelDistinctNames, C.dnsTunnelDistinctNames * 3 / 2) : C.dnsTunnelDistinctNames - 1
            let payload = rng.next(), domain = UInt8(rng.below(Vocabulary.tunnelDomains.count))
            let ts = times(n, from: t0, widthMs: 240_000)
            let ep = (0..<n).map { i -> SyntheticEvent in
                var e = SyntheticEvent(time: ts[i], dataset: .dns, flat: rng.below(4) == 0, sourceIP: ip)
                let length = UInt8(rng.inRange(C.dnsTunnelMinLabel + 8, C.dnsTunnelMinLabel + 28))
                e.dnsName = .tunnel(payload: payload &+ UInt64(i), labelLength: length, domain: domain)
                return e
            }
            events += ep
            record(.dnsTunnel, source: ip, ep, decoy: decoy)
        }
    }

    /// A brute-force burst in one bucket, then a successful login in the next
    /// minute: after the brute-force alert (any reading of its firing time)
    /// and within the temporal span. Its brute-force alert is expected too
    /// (the rule has `generate: true`), so it gets two truth records. Decoy:
    /// a burst one below the threshold followed by a success.
    private mutating func bruteForceSuccess() {
        let minute = C.bruteForceSpanMs
        for decoy in [nil, "precursor-below-threshold"] as [String?] {
            let ip = externalAttacker(), b = placeBucket(minute, extraMs: minute)
            let n = decoy == nil ? rng.inRange(C.bruteForceFailures, C.bruteForceFailures + 10) : C.bruteForceFailures - 1
            let user: SyntheticEvent.User = .pool(Int32(rng.below(plan.users)))
            let host = rng.below(plan.dmzServers)
            let burst = failedLogins(times(n, from: b + 1000, widthMs: minute - 2000), from: ip, user: user, host: host)
            let success = login(b + minute + 5000 + Int64(rng.below(50_000)), from: ip, user: user, success: true, host: host)
            events += burst + [success]
            if decoy == nil {
                record(.bruteForceSuccess, rule: C.RuleID.bruteForce, source: ip, burst)
            }
            record(.bruteForceSuccess, source: ip, burst + [success], decoy: decoy)
        }
    }
}

/// Dotted-quad text of an address (off the hot path).
func ipString(_ ip: UInt32) -> String {
    "\(ip >> 24).\((ip >> 16) & 0xFF).\((ip >> 8) & 0xFF).\(ip & 0xFF)"
}
