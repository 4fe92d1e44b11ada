import Foundation

/// Ordinary activity: logins, flows, web requests and DNS lookups from many
/// hosts and users. It must never satisfy a built-in rule, so every quantity a
/// rule counts is bounded *by construction* per source, not merely unlikely:
///
/// - password-spray: a source only ever logs in as at most 3 pool users
///   (clients, VPN users) or 8 probe names (internet noise) < 10 distinct.
/// - port-scan / host-sweep: a client talks to 12 fixed favourite
///   destinations; an internet host reaches only the 16 DMZ servers on 4 ports.
/// - web-scan: only 8 paths ever answer 4xx < 40 distinct.
/// - dns-tunnel: catalogue names have short first labels.
/// - brute-force / exfiltration: per-source rates are kept tiny by scaling the
///   host pools with the event density (≈0.04 failures per source per minute,
///   a few MB of uploads per client per 15 minutes against a 500 MB threshold).
struct BackgroundTraffic {
    let plan: AddressPlan
    var rng: Xoshiro256

    /// Share of each dataset, cumulative out of 100.
    private static let authUpTo = 20, networkUpTo = 60, webUpTo = 85

    init(plan: AddressPlan, seed: UInt64) {
        self.plan = plan
        rng = Xoshiro256(seed: seed)
    }

    mutating func next(at time: Int64) -> SyntheticEvent {
        let roll = rng.below(100)
        // A quarter of the events use flat dotted keys, the rest nested objects.
        let flat = rng.below(4) == 0
        if roll < BackgroundTraffic.authUpTo { return auth(time, flat) }
        if roll < BackgroundTraffic.networkUpTo { return network(time, flat) }
        if roll < BackgroundTraffic.webUpTo { return web(time, flat) }
        return dns(time, flat)
    }

    /// The i-th stable pick for entity `entity` (favourite servers, names…).
    @inline(__always)
    private func stable(_ entity: Int, _ i: Int, salt: UInt64) -> Int {
        Int(truncatingIfNeeded: Xoshiro256.mix(UInt64(entity) &* 64 &+ UInt64(i) &+ salt) >> 1)
    }

    private mutating func ephemeralPort() -> UInt16 { UInt16(rng.inRange(32768, 60999)) }

    private mutating func auth(_ time: Int64, _ flat: Bool) -> SyntheticEvent {
        let kind = rng.below(100)
        var e: SyntheticEvent
        if kind < 75 {
            // An employee's workstation logging into one of its usual servers,
            // as one of the (at most 3) accounts used on it.
            let c = rng.below(plan.clients)
            e = SyntheticEvent(time: time, dataset: .auth, flat: flat, sourceIP: plan.client(c))
            e.user = .pool(Int32((c &* 3 &+ rng.below(3)) % plan.users))
            e.host = Int32(stable(c, rng.below(4), salt: 0xA11) % plan.servers)
            e.success = !rng.chance(0.04)
        } else if kind < 90 {
            // A remote worker over the internet (VPN, bastion): one account.
            let x = rng.below(plan.externals)
            e = SyntheticEvent(time: time, dataset: .auth, flat: flat, sourceIP: plan.external(x))
            e.user = .pool(Int32(stable(x, 0, salt: 0xB22) % plan.users))
            e.host = Int32(stable(x, 1, salt: 0xB22) % plan.dmzServers)
            e.success = !rng.chance(0.04)
        } else {
            // Internet SSH noise: a random host trying a default account once.
            let x = rng.below(plan.externals)
            e = SyntheticEvent(time: time, dataset: .auth, flat: flat, sourceIP: plan.external(x))
            e.user = .probe(UInt8(rng.below(Vocabulary.probeUsers.count)))
            e.host = Int32(rng.below(plan.dmzServers))
            e.success = false
        }
        e.sourcePort = ephemeralPort()
        return e
    }

    /// Log-uniform size in `lo...hi`: mostly small transfers, a long tail.
    private mutating func transferSize(_ lo: Double, _ hi: Double) -> Int64 {
        Int64(lo * exp2(rng.unit() * log2(hi / lo)))
    }

    private mutating func network(_ time: Int64, _ flat: Bool) -> SyntheticEvent {
        var e: SyntheticEvent
        if rng.below(100) < 70 {
            let c = rng.below(plan.clients)
            e = SyntheticEvent(time: time, dataset: .network, flat: flat, sourceIP: plan.client(c))
            let favourite = rng.below(12)
            let pick = stable(c, favourite, salt: 0xC33)
            if favourite < 6 {
                let s = pick % plan.servers
                e.destinationIP = plan.server(s)
                e.destinationPort = UInt16(Vocabulary.serverPorts[s % Vocabulary.serverPorts.count])
            } else {
                e.destinationIP = plan.external(pick)
                e.destinationPort = UInt16(Vocabulary.externalPorts[(pick >> 20) % Vocabulary.externalPorts.count])
            }
            e.sourceBytes = transferSize(60, 2_000_000)
            e.destinationBytes = transferSize(60, 50_000_000)
        } else {
            let x = rng.below(plan.externals)
            e = SyntheticEvent(time: time, dataset: .network, flat: flat, sourceIP: plan.external(x))
            let s = rng.below(plan.dmzServers)
            e.destinationIP = plan.server(s)
            e.destinationPort = UInt16(Vocabulary.dmzPorts[s % Vocabulary.dmzPorts.count])
            e.sourceBytes = transferSize(60, 200_000)
            e.destinationBytes = transferSize(60, 5_000_000)
        }
        e.udp = e.destinationPort == 53 || e.destinationPort == 123
        e.sourcePort = ephemeralPort()
        return e
    }

    private mutating func web(_ time: Int64, _ flat: Bool) -> SyntheticEvent {
        let ip = rng.below(100) < 85 ? plan.external(rng.below(plan.externals)) : plan.client(rng.below(plan.clients))
        var e = SyntheticEvent(time: time, dataset: .web, flat: flat, sourceIP: ip)
        e.agent = UInt8(rng.below(Vocabulary.browserAgents.count))
        let roll = rng.below(1000)
        if roll < 30 {
            e.path = .broken(UInt16(rng.below(Vocabulary.brokenPaths.count)))
            e.status = 404
        } else if roll < 40 {
            e.path = .denied(UInt16(rng.below(Vocabulary.deniedPaths.count)))
            e.status = rng.below(2) == 0 ? 401 : 403
        } else if roll < 300 {
            e.path = .withID(UInt16(rng.below(Vocabulary.idPaths.count)), UInt32(rng.inRange(1000, 999_999)))
            e.status = 200
        } else {
            e.path = .site(UInt16(rng.below(Vocabulary.sitePaths.count)))
            e.status = rng.below(10) == 0 ? 304 : 200
        }
        let m = rng.below(100)
        e.method = m < 85 ? 0 : (m < 97 ? 1 : 2)
        if e.method == 1, e.status == 304 { e.status = 200 }
        return e
    }

    private mutating func dns(_ time: Int64, _ flat: Bool) -> SyntheticEvent {
        let c = rng.below(plan.clients)
        var e = SyntheticEvent(time: time, dataset: .dns, flat: flat, sourceIP: plan.client(c))
        // Mostly the client's usual names, sometimes anything in the catalogue.
        let pick = rng.below(4) == 0 ? rng.below(Vocabulary.dnsNames.count) : stable(c, rng.below(10), salt: 0xD44)
        e.dnsName = .catalog(UInt16(pick % Vocabulary.dnsNames.count))
        return e
    }
}
