import Foundation

/// The organisation behind `--profile habits`: its users, their addresses,
/// their workstations' volumes, the hosts with a Monday job. Every property
/// is a pure function of an index and a fixed salt, **not of the seed**: a
/// training month and a held-out month generated with different seeds are
/// the same organisation in different months, which is what lets a method
/// learn on one and be tested on the other.
struct HabitPopulation {
    let plan: AddressPlan
    /// Habit users are pool users `0..<users` (`asmith`, …); user `u` works at
    /// workstation `plan.client(u)`, which is also "host `u`" for volumes.
    let users: Int

    /// Employees per event per second: at 1 event/s, 200 users, so each
    /// logs in about 18 times a working day and each workstation sends
    /// about 5 flows an office hour, whatever the density.
    static let usersPerEventPerSecond = 200.0
    /// Users with a remote-access (VPN) address besides their workstation.
    static let vpnPercent: UInt64 = 30
    /// A user's usual servers, and a workstation's usual internet peers.
    static let serversPerUser = 3
    static let peersPerHost = 6
    /// Usual outbound volume of a workstation in a full office hour:
    /// log-uniform in this range. Ten times the top (and the ±10 % jitter of
    /// the episodes) stays below the 500 MB of the exfiltration rule even if
    /// it all fell into one 15-minute window.
    static let hourlyBytesRange: ClosedRange<Double> = 8_000_000...40_000_000

    init(plan: AddressPlan, eventsPerSecond: Double) {
        self.plan = plan
        users = min(plan.clients / 2, max(20, Int((eventsPerSecond * HabitPopulation.usersPerEventPerSecond).rounded())))
    }

    @inline(__always)
    private func hash(_ u: Int, _ k: Int, _ salt: UInt64) -> UInt64 {
        Xoshiro256.mix(UInt64(u) &* 131 &+ UInt64(k) &+ salt &* 0x9E37_79B9)
    }

    func workstation(_ u: Int) -> UInt32 { plan.client(u) }

    func hasVPN(_ u: Int) -> Bool { hash(u, 0, 0x7E1) % 100 < HabitPopulation.vpnPercent }

    /// The user's remote-access address (an ordinary internet address).
    func vpnAddress(_ u: Int) -> UInt32 { plan.external(Int(hash(u, 1, 0x7E1) % UInt64(plan.externals))) }

    /// The k-th of the user's usual servers (a `host.name` index).
    func server(_ u: Int, _ k: Int) -> Int { Int(hash(u, k, 0x5E7) % UInt64(plan.servers)) }

    /// The k-th of the workstation's usual internet peers.
    func peer(_ u: Int, _ k: Int) -> UInt32 { plan.external(Int(hash(u, k, 0x9EE) % UInt64(plan.externals))) }

    /// The workstation's usual outbound bytes in a full office hour.
    func hourlyBytes(_ u: Int) -> Int64 {
        let r = HabitPopulation.hourlyBytesRange
        let x = Double(hash(u, 0, 0xB17E) >> 11) * 0x1.0p-53
        return Int64(r.lowerBound * exp2(x * log2(r.upperBound / r.lowerBound)))
    }

    /// Hosts that send a report to their backup peer every Monday at 08:00
    /// (the `monday-peak` decoy): a third and two thirds into the users.
    var mondayPeakHosts: [Int] { [users / 3, 2 * users / 3] }

    /// Where a Monday-peak host sends its report.
    func backupPeer(_ u: Int) -> UInt32 { peer(u, HabitPopulation.peersPerHost) }

    /// The dotted user name of pool user `u`.
    static func userName(_ u: Int) -> String {
        let out = OutputBuffer(capacity: 64)
        AddressPlan.writeUserName(u, to: out)
        return String(decoding: out.bytes, as: UTF8.self)
    }
}
