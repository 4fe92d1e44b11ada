/// Where every kind of host lives, as pure functions of an index: the
/// generator needs millions of realistic addresses without storing them.
///
/// Background and attacks never share an address: background clients are in
/// 10.1.0.0–10.199.255.255, servers in 10.0.0.0/16, attack hosts inside the
/// network in 10.250.0.0/16, and external attackers in the documentation
/// ranges 203.0.113.0/24, 198.51.100.0/24 and 192.0.2.0/24, which background
/// external addresses never use.
public struct AddressPlan: Sendable {
    /// Pool sizes grow with the event density so that each background host
    /// keeps a realistic (and rule-safe) event rate however dense the run.
    public let clients: Int
    public let servers: Int
    public let externals: Int
    public let users: Int
    /// DMZ servers (the first servers) are the ones the internet reaches.
    public let dmzServers = 16

    public init(densityScale: Int) {
        let scale = max(1, densityScale)
        clients = 4096 * scale
        servers = 512
        externals = 65_536 * scale
        users = 5000 * scale
    }

    /// 10.a.b.c with a in 1...199 and c in 1...254.
    @inline(__always)
    public func client(_ index: Int) -> UInt32 {
        let i = UInt32(index % clients)
        let c = 1 + i % 254
        let b = (i / 254) % 256
        let a = 1 + i / (254 * 256)
        return 0x0A00_0000 | a << 16 | b << 8 | c
    }

    /// 10.0.b.c.
    @inline(__always)
    public func server(_ index: Int) -> UInt32 {
        let i = UInt32(index % servers)
        return 0x0A00_0000 | (i / 254) << 8 | (1 + i % 254)
    }

    /// First octets of public, routable blocks (none reserved, none private).
    private static let publicFirstOctets: [UInt32] = [23, 31, 37, 45, 51, 62, 77, 81, 91, 104, 141, 151, 176, 185, 188, 212]

    /// A public internet address, stable per index.
    @inline(__always)
    public func external(_ index: Int) -> UInt32 {
        let h = Xoshiro256.mix(UInt64(index % externals) &+ 0x5EED_0000)
        let first = AddressPlan.publicFirstOctets[Int(h & 15)]
        let rest = UInt32(truncatingIfNeeded: h >> 8) & 0x00FF_FFFF
        let last = rest & 0xFF
        // Avoid .0 and .255 host parts, which look odd in logs.
        let fixed = (last == 0 || last == 255) ? (rest & 0x00FF_FF00) | 7 : rest
        return first << 24 | fixed
    }

    /// The k-th external attacker address (unique per attack or decoy).
    public static func externalAttacker(_ k: Int) -> UInt32 {
        let blocks: [UInt32] = [0xCB00_7100, 0xC633_6400, 0xC000_0200] // 203.0.113, 198.51.100, 192.0.2
        return blocks[(k / 254) % 3] | UInt32(1 + k % 254)
    }

    /// The k-th compromised internal host (10.250.0.0/16).
    public static func internalAttacker(_ k: Int) -> UInt32 {
        0x0AFA_0000 | UInt32(k / 254 % 256) << 8 | UInt32(1 + k % 254)
    }

    /// Whether `ip` is in a range reserved for attacks.
    public static func isAttackAddress(_ ip: UInt32) -> Bool {
        let p24 = ip & 0xFFFF_FF00
        return ip & 0xFFFF_0000 == 0x0AFA_0000 || p24 == 0xCB00_7100 || p24 == 0xC633_6400 || p24 == 0xC000_0200
    }

    /// `host.name` of a server.
    public static func writeHostName(_ server: Int, to out: OutputBuffer) {
        out.append(Vocabulary.hostRoles[server % Vocabulary.hostRoles.count])
        out.byte(UInt8(ascii: "-"))
        out.zeroPadded(server / Vocabulary.hostRoles.count % 100, width: 2)
    }

    /// `user.name` of a pool user: initial + surname, plus a number once the
    /// plain combinations run out (`jsmith`, `jsmith2`).
    public static func writeUserName(_ user: Int, to out: OutputBuffer) {
        let ni = Vocabulary.initials.count, ns = Vocabulary.surnames.count
        out.append(Vocabulary.initials[user % ni])
        out.append(Vocabulary.surnames[user / ni % ns])
        let n = user / (ni * ns)
        if n > 0 { out.decimal(Int64(n + 1)) }
    }
}
