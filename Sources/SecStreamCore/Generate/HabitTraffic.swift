/// Ordinary traffic of `--profile habits`: a `HabitPopulation` at work.
/// Events still come one per evenly spaced slot (the generator's clock); what
/// changes is who they belong to. A slot is an employee's with probability
/// `employeeShare × WorkWeek.activity`, else ambient internet traffic, so
/// each user and workstation follows the work week while the event rate
/// stays flat.
///
/// Employee events: logins of user `u` only from their workstation or their
/// VPN address, only to their three servers, 3 % failing (mistyped
/// passwords); outbound flows of workstation `u` only to its six peers, sized
/// so an office hour sums to about `hourlyBytes(u)`; DNS lookups.
/// Ambient: internet SSH noise (failures of default accounts from random
/// addresses), web requests to the DMZ, DNS lookups of servers.
///
/// Like the uniform background, it never satisfies a built-in rule: one
/// source fails at most a handful of logins a day (brute-force, spray), no
/// source reaches more than 6 peers or any port range (scans), no 4xx path
/// list (web-scan), catalogue DNS names (tunnel), and a workstation sends at
/// most 40 MB an hour (exfiltration, 500 MB in 15 minutes).
struct HabitTraffic {
    let population: HabitPopulation
    var rng: Xoshiro256
    /// Mean bytes of one flow of workstation `u` is `hourlyBytes(u) / flowsPerOfficeHour`.
    let flowsPerOfficeHour: Double

    static let employeeShare = 0.5
    /// Of employee events: logins, then flows, the rest DNS (cumulative %).
    static let loginUpTo = 25, flowUpTo = 85
    static let failedLoginChance = 0.03
    static let vpnLoginChance = 0.25

    init(population: HabitPopulation, eventsPerSecond: Double, seed: UInt64) {
        self.population = population
        rng = Xoshiro256(seed: seed)
        let flowShare = Double(HabitTraffic.flowUpTo - HabitTraffic.loginUpTo) / 100
        flowsPerOfficeHour = max(0.01, eventsPerSecond * 3600 * HabitTraffic.employeeShare * flowShare / Double(population.users))
    }

    mutating func next(at time: Int64) -> SyntheticEvent {
        let flat = rng.below(4) == 0
        if rng.unit() < HabitTraffic.employeeShare * WorkWeek.activity(time) {
            let u = rng.below(population.users)
            let kind = rng.below(100)
            if kind < HabitTraffic.loginUpTo { return login(time, flat, u) }
            if kind < HabitTraffic.flowUpTo { return flow(time, flat, u) }
            return lookup(time, flat, population.workstation(u), stable: u)
        }
        let kind = rng.below(100)
        if kind < 35 { return sshNoise(time, flat) }
        if kind < 80 { return web(time, flat) }
        let s = rng.below(population.plan.servers)
        return lookup(time, flat, population.plan.server(s), stable: population.plan.clients + s)
    }

    private mutating func login(_ time: Int64, _ flat: Bool, _ u: Int) -> SyntheticEvent {
        let remote = population.hasVPN(u) && rng.chance(HabitTraffic.vpnLoginChance)
        let ip = remote ? population.vpnAddress(u) : population.workstation(u)
        var e = SyntheticEvent(time: time, dataset: .auth, flat: flat, sourceIP: ip)
        e.user = .pool(Int32(u))
        e.host = Int32(population.server(u, rng.below(HabitPopulation.serversPerUser)))
        e.success = !rng.chance(HabitTraffic.failedLoginChance)
        e.sourcePort = UInt16(rng.inRange(32768, 60999))
        return e
    }

    private mutating func flow(_ time: Int64, _ flat: Bool, _ u: Int) -> SyntheticEvent {
        var e = SyntheticEvent(time: time, dataset: .network, flat: flat, sourceIP: population.workstation(u))
        e.destinationIP = population.peer(u, rng.below(HabitPopulation.peersPerHost))
        e.destinationPort = 443
        e.sourcePort = UInt16(rng.inRange(32768, 60999))
        // Mean one: an office hour of flows sums to about hourlyBytes(u).
        let jitter = 0.5 + rng.unit()
        e.sourceBytes = Int64(Double(population.hourlyBytes(u)) / flowsPerOfficeHour * jitter)
        e.destinationBytes = Int64(2000 + rng.below(3_000_000))
        return e
    }

    private mutating func lookup(_ time: Int64, _ flat: Bool, _ ip: UInt32, stable: Int) -> SyntheticEvent {
        var e = SyntheticEvent(time: time, dataset: .dns, flat: flat, sourceIP: ip)
        let pick = rng.below(4) == 0 ? rng.below(Vocabulary.dnsNames.count)
            : Int(Xoshiro256.mix(UInt64(stable) &* 16 &+ UInt64(rng.below(8))) >> 1)
        e.dnsName = .catalog(UInt16(pick % Vocabulary.dnsNames.count))
        return e
    }

    private mutating func sshNoise(_ time: Int64, _ flat: Bool) -> SyntheticEvent {
        let plan = population.plan
        var e = SyntheticEvent(time: time, dataset: .auth, flat: flat, sourceIP: plan.external(rng.below(plan.externals)))
        e.user = .probe(UInt8(rng.below(Vocabulary.probeUsers.count)))
        e.host = Int32(rng.below(plan.dmzServers))
        e.success = false
        e.sourcePort = UInt16(rng.inRange(32768, 60999))
        return e
    }

    private mutating func web(_ time: Int64, _ flat: Bool) -> SyntheticEvent {
        let plan = population.plan
        var e = SyntheticEvent(time: time, dataset: .web, flat: flat, sourceIP: plan.external(rng.below(plan.externals)))
        e.agent = UInt8(rng.below(Vocabulary.browserAgents.count))
        if rng.below(100) < 3 {
            e.path = .broken(UInt16(rng.below(Vocabulary.brokenPaths.count)))
            e.status = 404
        } else {
            e.path = .site(UInt16(rng.below(Vocabulary.sitePaths.count)))
            e.status = 200
        }
        return e
    }
}
