/// One generated event before it is written: plain values only (no strings,
/// no references), so background, attacks and held-back late events can all
/// be produced, queued and rendered without allocating.
public struct SyntheticEvent {
    public enum Dataset: UInt8 { case auth, network, web, dns }

    public enum User {
        /// A pool user, written by `AddressPlan.writeUserName`.
        case pool(Int32)
        /// An entry of `Vocabulary.probeUsers` (root, admin, …).
        case probe(UInt8)
    }

    public enum URLPath {
        case site(UInt16)
        case withID(UInt16, UInt32)
        case broken(UInt16)
        case denied(UInt16)
        case scanner(UInt16)
    }

    public enum DNSName {
        case catalog(UInt16)
        /// A tunnel query: `labelLength` hex characters derived from `payload`,
        /// then a tunnel domain.
        case tunnel(payload: UInt64, labelLength: UInt8, domain: UInt8)
    }

    public var time: Int64
    public var dataset: Dataset
    /// Nested or flat field layout.
    public var flat: Bool
    public var sourceIP: UInt32
    public var destinationIP: UInt32 = 0
    public var sourcePort: UInt16 = 0
    public var destinationPort: UInt16 = 0
    public var udp = false
    public var sourceBytes: Int64 = 0
    public var destinationBytes: Int64 = 0
    /// auth
    public var success = false
    public var user: User = .pool(0)
    public var host: Int32 = 0
    /// web
    public var method: UInt8 = 0
    public var status: UInt16 = 200
    public var path: URLPath = .site(0)
    public var scannerAgent = false
    public var agent: UInt8 = 0
    /// dns
    public var dnsName: DNSName = .catalog(0)

    public init(time: Int64, dataset: Dataset, flat: Bool, sourceIP: UInt32) {
        self.time = time
        self.dataset = dataset
        self.flat = flat
        self.sourceIP = sourceIP
    }
}
