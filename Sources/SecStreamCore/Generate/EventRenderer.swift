/// Writes a `SyntheticEvent` as one NDJSON line of ECS fields.
struct EventRenderer {
    /// No event line is longer than this (the longest user agent and DNS name
    /// included), so one `reserve` per line covers every append.
    static let maxLineBytes = 2048

    var writer: JSONObjectWriter

    init(out: OutputBuffer) { writer = JSONObjectWriter(out: out) }

    mutating func render(_ e: SyntheticEvent) {
        writer.out.reserve(EventRenderer.maxLineBytes)
        writer.beginObject(flat: e.flat)
        writer.timestamp("@timestamp", e.time)
        switch e.dataset {
        case .auth: auth(e)
        case .network: network(e)
        case .web: web(e)
        case .dns: dns(e)
        }
        writer.endObject()
        writer.out.byte(UInt8(ascii: "\n"))
    }

    private mutating func auth(_ e: SyntheticEvent) {
        writer.beginGroup("event")
        writer.string("dataset", "auth")
        writer.string("category", "authentication")
        writer.string("action", "ssh_login")
        if e.success { writer.string("outcome", "success") } else { writer.string("outcome", "failure") }
        writer.endGroup()
        writer.beginGroup("user")
        switch e.user {
        case .pool(let u): writer.composed("name") { AddressPlan.writeUserName(Int(u), to: $0) }
        case .probe(let p): writer.string("name", Vocabulary.probeUsers[Int(p)])
        }
        writer.endGroup()
        writer.beginGroup("source")
        writer.ip("ip", e.sourceIP)
        writer.number("port", Int64(e.sourcePort))
        writer.endGroup()
        writer.beginGroup("host")
        writer.composed("name") { AddressPlan.writeHostName(Int(e.host), to: $0) }
        writer.endGroup()
        writer.beginGroup("process")
        writer.string("name", "sshd")
        writer.endGroup()
    }

    private mutating func network(_ e: SyntheticEvent) {
        writer.beginGroup("event")
        writer.string("dataset", "network")
        writer.string("category", "network")
        writer.endGroup()
        writer.beginGroup("source")
        writer.ip("ip", e.sourceIP)
        writer.number("port", Int64(e.sourcePort))
        writer.number("bytes", e.sourceBytes)
        writer.endGroup()
        writer.beginGroup("destination")
        writer.ip("ip", e.destinationIP)
        writer.number("port", Int64(e.destinationPort))
        writer.number("bytes", e.destinationBytes)
        writer.endGroup()
        writer.beginGroup("network")
        if e.udp { writer.string("transport", "udp") } else { writer.string("transport", "tcp") }
        writer.endGroup()
    }

    private mutating func web(_ e: SyntheticEvent) {
        writer.beginGroup("event")
        writer.string("dataset", "web")
        writer.string("category", "web")
        writer.endGroup()
        writer.beginGroup("source")
        writer.ip("ip", e.sourceIP)
        writer.endGroup()
        writer.beginGroup("http")
        writer.beginGroup("request")
        writer.string("method", Vocabulary.methods[Int(e.method)])
        writer.endGroup()
        writer.beginGroup("response")
        writer.number("status_code", Int64(e.status))
        writer.endGroup()
        writer.endGroup()
        writer.beginGroup("url")
        switch e.path {
        case .site(let i): writer.string("path", Vocabulary.sitePaths[Int(i)])
        case .withID(let i, let id):
            writer.composed("path") {
                $0.append(Vocabulary.idPaths[Int(i)])
                $0.decimal(Int64(id))
            }
        case .broken(let i): writer.string("path", Vocabulary.brokenPaths[Int(i)])
        case .denied(let i): writer.string("path", Vocabulary.deniedPaths[Int(i)])
        case .scanner(let i): writer.string("path", Vocabulary.scannerPaths[Int(i)])
        }
        writer.endGroup()
        writer.beginGroup("user_agent")
        if e.scannerAgent {
            writer.string("original", Vocabulary.scannerAgents[Int(e.agent)])
        } else {
            writer.string("original", Vocabulary.browserAgents[Int(e.agent)])
        }
        writer.endGroup()
    }

    private mutating func dns(_ e: SyntheticEvent) {
        writer.beginGroup("event")
        writer.string("dataset", "dns")
        writer.string("category", "network")
        writer.endGroup()
        writer.beginGroup("source")
        writer.ip("ip", e.sourceIP)
        writer.endGroup()
        writer.beginGroup("dns")
        writer.beginGroup("question")
        switch e.dnsName {
        case .catalog(let i): writer.string("name", Vocabulary.dnsNames[Int(i)])
        case .tunnel(let payload, let length, let domain):
            writer.composed("name") { out in
                // Expand the payload into `length` hex characters, 16 at a time.
                var remaining = Int(length)
                var state = payload
                while remaining > 0 {
                    let n = min(16, remaining)
                    out.hex(Xoshiro256.splitMix64(&state), digits: n)
                    remaining -= n
                }
                out.byte(UInt8(ascii: "."))
                out.append(Vocabulary.tunnelDomains[Int(domain)])
            }
        }
        writer.string("type", "A")
        writer.endGroup()
        writer.endGroup()
    }
}
