import Foundation

/// A ticket for a request written to a connection whose response has not
/// been read yet. Responses arrive in request order on a Kafka connection.
public struct PendingResponse<R: KafkaRequest> {
    public let correlationId: Int32
    public let version: Int16
}

/// One TCP (optionally TLS) connection to one broker. Requests can be
/// pipelined: `send` writes and returns a ticket, `wait` reads frames in
/// order, parking responses that belong to other tickets. After connecting
/// it authenticates (SASL) and negotiates versions with ApiVersions.
/// All methods are serialized by an internal lock so several threads may share it.
public final class BrokerConnection {
    public let nodeId: Int32
    public let address: String
    let transport: Transport
    let config: KafkaConfig
    let lock = NSLock()
    var nextCorrelation: Int32 = 1
    /// Correlation ids written but not yet read, in order.
    var inFlight: [Int32] = []
    /// Responses read while waiting for a later ticket.
    var parked: [Int32: [UInt8]] = [:]
    /// When each in-flight request was written, by correlation id (only while metrics are exported).
    var sentAt: [Int32: (api: APIKey, nanos: UInt64)] = [:]
    var apiRanges: [Int16: ClosedRange<Int16>] = [:]
    public private(set) var isBroken = false
    var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    var readStart = 0
    var readEnd = 0

    public init(nodeId: Int32, host: String, port: Int32, config: KafkaConfig) throws {
        self.nodeId = nodeId
        self.address = "\(host):\(port)"
        self.config = config
        let tcp = try TCPTransport(host: host, port: port, timeoutMs: config.connectTimeoutMs)
        do {
            if let tls = config.tls {
                transport = try TLSTransport(tcp: tcp, host: host, options: tls)
            } else {
                transport = tcp
            }
        } catch {
            tcp.close()
            throw error
        }
        transport.setTimeout(ms: config.requestTimeoutMs)
        do {
            try negotiateVersions()
            if let sasl = config.sasl { try authenticate(sasl) }
        } catch {
            // deinit still runs for a fully initialized object that throws: mark it closed first.
            isBroken = true
            transport.close()
            throw error
        }
    }

    deinit { if !isBroken { transport.close() } }

    public func close() {
        lock.lock()
        defer { lock.unlock() }
        if !isBroken {
            isBroken = true
            transport.close()
        }
    }

    /// Number of requests written whose responses have not been consumed.
    public var pendingCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return inFlight.count + parked.count
    }

    func negotiateVersions() throws {
        // A broker that does not know v3 answers in the v0 layout with
        // UNSUPPORTED_VERSION (KIP-511), so a v3 decode failure means "retry with v0".
        let ticket = try send(ApiVersionsRequest(), version: 3)
        let raw = try waitRaw(ticket.correlationId)
        var resp = try? raw.withUnsafeBytes { try ApiVersionsRequest.decodeResponse($0, version: 3, from: 4) }
        if resp == nil || resp?.errorCode == .unsupportedVersion {
            resp = try request(ApiVersionsRequest(), version: 0)
        }
        guard let resp else { return }
        guard resp.errorCode == .none else {
            throw KafkaError.broker(code: resp.errorCode, context: "ApiVersions from broker \(address)")
        }
        apiRanges = resp.ranges
    }

    /// The highest version both sides support.
    public func version<R: KafkaRequest>(for type: R.Type) throws -> Int16 {
        guard let broker = apiRanges[R.apiKey.rawValue] else {
            throw KafkaError.config("broker \(address) does not support \(R.apiKey)")
        }
        let v = min(broker.upperBound, R.versions.upperBound)
        guard v >= max(broker.lowerBound, R.versions.lowerBound) else {
            throw KafkaError.config("broker \(address) supports \(R.apiKey) v\(broker), client supports v\(R.versions)")
        }
        return v
    }

    /// Writes a request at the negotiated version and returns its ticket.
    public func send<R: KafkaRequest>(_ req: R, version: Int16? = nil) throws -> PendingResponse<R> {
        let v = try version ?? self.version(for: R.self)
        lock.lock()
        defer { lock.unlock() }
        return try sendLocked(req, version: v, expectResponse: true)
    }

    /// Writes a request that gets no response (Produce with acks=0).
    public func sendOneWay<R: KafkaRequest>(_ req: R) throws {
        let v = try version(for: R.self)
        lock.lock()
        defer { lock.unlock() }
        _ = try sendLocked(req, version: v, expectResponse: false)
    }

    func sendLocked<R: KafkaRequest>(_ req: R, version: Int16, expectResponse: Bool) throws -> PendingResponse<R> {
        if isBroken { throw KafkaError.connection("broker \(address): connection closed") }
        let id = nextCorrelation
        nextCorrelation = nextCorrelation == Int32.max ? 1 : nextCorrelation + 1
        let frame = req.frame(version: version, correlationId: id, clientId: config.clientId)
        do {
            try frame.bytes.withUnsafeBytes { try transport.writeAll($0) }
        } catch {
            breakLocked()
            throw error
        }
        if expectResponse {
            inFlight.append(id)
            if let now = KafkaRequestMetrics.started() { sentAt[id] = (R.apiKey, now) }
        }
        return PendingResponse(correlationId: id, version: version)
    }

    /// Reads responses until the one for `ticket` arrives, then decodes it.
    public func wait<R: KafkaRequest>(_ ticket: PendingResponse<R>, timeoutMs: Int? = nil) throws -> R.Response {
        let body = try waitRaw(ticket.correlationId, timeoutMs: timeoutMs)
        return try body.withUnsafeBytes { try R.decodeResponse($0, version: ticket.version, from: 4) }
    }

    /// Like `wait` but also returns the raw frame (the Fetch decoder slices records out of it).
    public func waitRaw(_ correlationId: Int32, timeoutMs: Int? = nil) throws -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if let body = parked.removeValue(forKey: correlationId) { return body }
        guard inFlight.contains(correlationId) else {
            throw KafkaError.connection("broker \(address): no request with correlation id \(correlationId) in flight")
        }
        if let t = timeoutMs { transport.setTimeout(ms: t) }
        defer { if timeoutMs != nil { transport.setTimeout(ms: config.requestTimeoutMs) } }
        while true {
            let body: [UInt8]
            do { body = try readFrame() } catch { breakLocked(); throw error }
            let id = body.withUnsafeBytes { raw -> Int32 in var r = WireReader(raw); return r.int32() }
            guard let expected = inFlight.first, expected == id else {
                breakLocked()
                throw KafkaError.decode("broker \(address): response correlation id \(id) does not match \(inFlight.first ?? -1)")
            }
            inFlight.removeFirst()
            if let sent = sentAt.removeValue(forKey: id) { KafkaRequestMetrics.completed(sent.api, startedAt: sent.nanos) }
            if id == correlationId { return body }
            parked[id] = body
        }
    }

    /// One request, one response.
    public func request<R: KafkaRequest>(_ req: R, version: Int16? = nil, timeoutMs: Int? = nil) throws -> R.Response {
        try wait(try send(req, version: version), timeoutMs: timeoutMs)
    }

    func breakLocked() {
        if !isBroken {
            isBroken = true
            transport.close()
        }
        for sent in sentAt.values { KafkaRequestMetrics.failed(sent.api) }
        sentAt.removeAll()
    }

    /// The largest response frame accepted (bytes).
    public static let maxFrameSize = 256 << 20

    /// Reads one size-prefixed frame (correlation id + body), buffering socket reads.
    func readFrame() throws -> [UInt8] {
        var sizeBytes: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        try withUnsafeMutableBytes(of: &sizeBytes) { try readExactly(into: $0) }
        let size = Int(Int32(bitPattern: UInt32(sizeBytes.0) << 24 | UInt32(sizeBytes.1) << 16
                             | UInt32(sizeBytes.2) << 8 | UInt32(sizeBytes.3)))
        // A response is at most a fetch (64 MiB by default) and its framing: a
        // negative or larger size is a broken or hostile broker, refused before
        // anything is allocated for it.
        guard size >= 4, size <= Self.maxFrameSize else {
            throw KafkaError.decode("broker \(address): bad frame size \(size) (allowed 4 to \(Self.maxFrameSize))")
        }
        // Fetch responses run to megabytes: fill the array straight from the
        // socket instead of zeroing it first.
        return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            try readExactly(into: UnsafeMutableRawBufferPointer(buffer))
            count = size
        }
    }

    func readExactly(into dst: UnsafeMutableRawBufferPointer) throws {
        let n = dst.count
        var got = 0
        while got < n {
            if readStart == readEnd {
                // Large remainders bypass the buffer and land straight in dst.
                if n - got >= readBuffer.count {
                    let k = try transport.read(into: UnsafeMutableRawBufferPointer(rebasing: dst[got..<n]))
                    if k == 0 { throw KafkaError.connection("broker \(address): connection closed by peer") }
                    got += k
                    continue
                }
                let k = try readBuffer.withUnsafeMutableBytes { try transport.read(into: $0) }
                if k == 0 { throw KafkaError.connection("broker \(address): connection closed by peer") }
                readStart = 0
                readEnd = k
            }
            let take = min(n - got, readEnd - readStart)
            readBuffer.withUnsafeBytes { s in
                (dst.baseAddress! + got).copyMemory(from: s.baseAddress! + readStart, byteCount: take)
            }
            readStart += take
            got += take
        }
    }

    /// SASL over Kafka (KIP-152): SaslHandshake v1, then SaslAuthenticate rounds.
    func authenticate(_ sasl: SASLOptions) throws {
        let hs = try request(SaslHandshakeRequest(mechanism: sasl.mechanism.rawValue))
        guard hs.errorCode == .none else {
            throw KafkaError.authentication("broker \(address): mechanism \(sasl.mechanism.rawValue) rejected "
                                            + "(\(hs.errorCode.name)); broker offers \(hs.mechanisms.joined(separator: ","))")
        }
        var session = SASLSession(options: sasl)
        var challenge: [UInt8]? = nil
        while let message = try session.next(challenge: challenge) {
            let resp = try request(SaslAuthenticateRequest(authBytes: message))
            guard resp.errorCode == .none else {
                throw KafkaError.authentication("broker \(address): \(resp.errorMessage ?? resp.errorCode.name)")
            }
            challenge = resp.authBytes
        }
    }
}
