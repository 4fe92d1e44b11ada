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
        event("auth", "authentication") { w in
            w.string("action", "ssh_login")
            if e.success { w.string("outcome", "success") } else { w.string("outcome", "failure") }
        }
        writer.group("user") { w in
            switch e.user {
            case .pool(let u): w.composed("name") { AddressPlan.writeUserName(Int(u), to: $0) }
            case .probe(let p): w.string("name", Vocabulary.probeUsers[Int(p)])
            }
        }
        endpoint("source", e.sourceIP, port: e.sourcePort)
        writer.group("host") { w in w.composed("name") { AddressPlan.writeHostName(Int(e.host), to: $0) } }
        writer.group("process") { w in w.string("name", "sshd") }
    }

    private mutating func network(_ e: SyntheticEvent) {
        event("network", "network")
        endpoint("source", e.sourceIP, port: e.sourcePort, bytes: e.sourceBytes)
        endpoint("destination", e.destinationIP, port: e.destinationPort, bytes: e.destinationBytes)
        writer.group("network") { w in
            if e.udp { w.string("transport", "udp") } else { w.string("transport", "tcp") }
        }
    }

    private mutating func web(_ e: SyntheticEvent) {
        event("web", "web")
        endpoint("source", e.sourceIP)
        writer.group("http") { w in
            w.group("request") { w in w.string("method", Vocabulary.methods[Int(e.method)]) }
            w.group("response") { w in w.number("status_code", Int64(e.status)) }
        }
        writer.group("url") { w in
            switch e.path {
            case .site(let i): w.string("path", Vocabulary.sitePaths[Int(i)])
            case .withID(let i, let id):
                w.composed("path") {
                    $0.append(Vocabulary.idPaths[Int(i)])
                    $0.decimal(Int64(id))
                }
            case .broken(let i): w.string("path", Vocabulary.brokenPaths[Int(i)])
            case .denied(let i): w.string("path", Vocabulary.deniedPaths[Int(i)])
            case .scanner(let i): w.string("path", Vocabulary.scannerPaths[Int(i)])
            }
        }
        writer.group("user_agent") { w in
            if e.scannerAgent {
                w.string("original", Vocabulary.scannerAgents[Int(e.agent)])
            } else {
                w.string("original", Vocabulary.browserAgents[Int(e.agent)])
            }
        }
    }

    private mutating func dns(_ e: SyntheticEvent) {
        event("dns", "network")
        endpoint("source", e.sourceIP)
        writer.group("dns") { w in
            w.group("question") { w in
                switch e.dnsName {
                case .catalog(let i): w.string("name", Vocabulary.dnsNames[Int(i)])
                case .tunnel(let payload, let length, let domain):
                    w.composed("name") { out in
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
                w.string("type", "A")
            }
        }
    }

    // MARK: groups every dataset writes

    /// The `event` group: dataset and category, then what `more` adds.
    @inline(__always)
    private mutating func event(_ dataset: StaticString, _ category: StaticString,
                                _ more: (inout JSONObjectWriter) -> Void = { _ in }) {
        writer.group("event") { w in
            w.string("dataset", dataset)
            w.string("category", category)
            more(&w)
        }
    }

    /// A `source` or `destination` group: the address, and the port and byte
    /// count where the dataset has them.
    @inline(__always)
    private mutating func endpoint(_ k: StaticString, _ ip: UInt32, port: UInt16? = nil, bytes: Int64? = nil) {
        writer.group(k) { w in
            w.ip("ip", ip)
            if let port { w.number("port", Int64(port)) }
            if let bytes { w.number("bytes", bytes) }
        }
    }
}
