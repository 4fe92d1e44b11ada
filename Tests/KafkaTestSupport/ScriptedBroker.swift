import Foundation
import Kafka

/// A tiny in-process Kafka broker whose answers a test scripts: it frames
/// requests and responses and hands (api key, version, request body) to the
/// test's handler, which returns the response body (after the correlation id).
/// By default it advertises only non-flexible versions so tests write plain
/// layouts; a test may advertise flexible ones (`advertised`), and the broker
/// then handles the flexible request/response headers (the body is the test's).
public final class ScriptedBroker: @unchecked Sendable {
    public typealias Handler = (_ apiKey: APIKey, _ version: Int16, _ body: [UInt8]) -> [UInt8]?
    let listenFd: Int32
    public let port: Int32
    let handler: Handler
    public let lock = NSLock()
    public private(set) var requests: [(APIKey, Int16, [UInt8])] = []
    var clientFds: [Int32] = []
    /// Highest ApiVersions version understood; newer requests get the v0
    /// UNSUPPORTED_VERSION answer an old broker sends (KIP-511).
    public var apiVersionsMax: Int16 = 3
    /// The versions ApiVersions offers; set before the client connects.
    public var advertised: [(APIKey, Int16, Int16)] = ScriptedBroker.defaultAdvertised

    public static let defaultAdvertised: [(APIKey, Int16, Int16)] = [
        (.apiVersions, 0, 3), (.metadata, 1, 1), (.produce, 3, 3), (.initProducerId, 0, 1),
        (.saslHandshake, 1, 1), (.saslAuthenticate, 0, 0),
    ]

    /// When set, the broker has a SASL listener: every connection must
    /// complete a SaslHandshake + SaslAuthenticate exchange before any other
    /// request (ApiVersions excepted); an unauthenticated request or a failed
    /// exchange closes the connection, as Kafka does. The handler then never
    /// sees the SASL requests.
    public let sasl: SASLServer?
    var unauthenticatedLog: [APIKey] = [], authenticatedLog: [String] = [], failureLog: [String] = []
    /// Requests other than ApiVersions/SASL that arrived before authentication.
    public var unauthenticatedRequests: [APIKey] { lock.lock(); defer { lock.unlock() }; return unauthenticatedLog }
    /// Exchanges that completed (one per authenticated connection), by mechanism.
    public var authenticated: [String] { lock.lock(); defer { lock.unlock() }; return authenticatedLog }
    /// Exchanges that failed, with the reason the server side gave.
    public var authenticationFailures: [String] { lock.lock(); defer { lock.unlock() }; return failureLog }

    /// When set, every request is answered with this (lying) frame size.
    public var hostileFrameSize: UInt32?

    public init(sasl: SASLServer? = nil, handler: @escaping Handler) throws {
        self.handler = handler
        self.sasl = sasl
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listenFd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else { throw ScriptedBrokerError(description: "scripted broker cannot listen on 127.0.0.1") }
        port = Int32(UInt16(bigEndian: addr.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    public var bootstrap: String { "127.0.0.1:\(port)" }

    public func count(_ key: APIKey) -> Int {
        lock.lock(); defer { lock.unlock() }
        return requests.filter { $0.0 == key }.count
    }

    public func bodies(_ key: APIKey) -> [[UInt8]] {
        lock.lock(); defer { lock.unlock() }
        return requests.filter { $0.0 == key }.map(\.2)
    }

    public func stop() {
        shutdown(listenFd, Int32(SHUT_RDWR))
        close(listenFd)
        lock.lock()
        for fd in clientFds { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.unlock()
    }

    func acceptLoop() {
        while true {
            let fd = accept(listenFd, nil, nil)
            if fd < 0 { return }
            lock.lock(); clientFds.append(fd); lock.unlock()
            Thread { [self] in serve(fd) }.start()
        }
    }

    func readExactly(_ fd: Int32, _ n: Int) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let k = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, n - got, 0) }
            if k <= 0 { return nil }
            got += k
        }
        return buf
    }

    func serve(_ fd: Int32) {
        defer { close(fd) }
        var exchange: SASLServerExchange?
        var mechanism = ""
        var isAuthenticated = sasl == nil
        var closeAfterResponse = false
        while !closeAfterResponse, let size = readExactly(fd, 4) {
            let n = Int(size[0]) << 24 | Int(size[1]) << 16 | Int(size[2]) << 8 | Int(size[3])
            guard let frame = readExactly(fd, n) else { return }
            if let claimed = hostileFrameSize {
                // Answer with a size prefix that lies, then a few bytes, and keep the connection open.
                let bytes: [UInt8] = [UInt8(claimed >> 24), UInt8(claimed >> 16 & 0xff), UInt8(claimed >> 8 & 0xff),
                                      UInt8(claimed & 0xff), frame[4], frame[5], frame[6], frame[7]]
                _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                sleep(5)
                return
            }
            // Header v1/v2: key, version, correlation, client id (+ tags when flexible: only ApiVersions v3 here).
            let (key, version, corr, bodyStart) = frame.withUnsafeBytes { raw -> (Int16, Int16, Int32, Int) in
                var r = WireReader(raw)
                let k = r.int16(), v = r.int16(), c = r.int32()
                _ = r.nullableString(flexible: false)
                if let api = APIKey(rawValue: k), Self.isFlexible(api, v) { r.skipTags(true) }
                return (k, v, c, r.pos)
            }
            guard let api = APIKey(rawValue: key) else { return }
            let body = Array(frame[bodyStart...])
            lock.lock(); requests.append((api, version, body)); lock.unlock()
            let response: [UInt8]
            if api == .apiVersions && version > apiVersionsMax {
                var w = WireWriter()
                w.int16(ErrorCode.unsupportedVersion.rawValue)
                w.arrayLength(1, flexible: false); w.int16(APIKey.apiVersions.rawValue); w.int16(0); w.int16(apiVersionsMax)
                response = w.bytes
            } else if api == .apiVersions {
                response = apiVersionsResponse(version)
            } else if let sasl, api == .saslHandshake {
                mechanism = body.withUnsafeBytes { raw -> String in var r = WireReader(raw); return r.string(flexible: false) }
                exchange = sasl.mechanisms.contains(mechanism) ? sasl.start(mechanism) : nil
                var w = WireWriter()
                w.int16(exchange == nil ? ErrorCode.unsupportedSaslMechanism.rawValue : 0)
                w.arrayLength(sasl.mechanisms.count, flexible: false)
                for m in sasl.mechanisms { w.string(m, flexible: false) }
                response = w.bytes
                closeAfterResponse = exchange == nil
            } else if sasl != nil, api == .saslAuthenticate {
                let message = body.withUnsafeBytes { raw -> [UInt8] in var r = WireReader(raw); return r.bytes(flexible: false) }
                var w = WireWriter()
                if let current = exchange {
                    let step = current.step(message)
                    if let error = step.error {
                        lock.lock(); failureLog.append(error); lock.unlock()
                        w.int16(ErrorCode.saslAuthenticationFailed.rawValue)
                        w.nullableString("Authentication failed during authentication due to invalid credentials with SASL mechanism \(mechanism)", flexible: false)
                        w.bytesField([], flexible: false)
                        closeAfterResponse = true
                    } else {
                        w.int16(0); w.nullableString(nil, flexible: false); w.bytesField(step.reply, flexible: false)
                        if step.done {
                            isAuthenticated = true
                            exchange = nil
                            lock.lock(); authenticatedLog.append(mechanism); lock.unlock()
                        }
                    }
                } else {
                    w.int16(ErrorCode.illegalSaslState.rawValue)
                    w.nullableString("SaslAuthenticate without a SaslHandshake", flexible: false)
                    w.bytesField([], flexible: false)
                    closeAfterResponse = true
                }
                response = w.bytes
            } else if !isAuthenticated {
                // A SASL listener drops a client that skips authentication.
                lock.lock(); unauthenticatedLog.append(api); lock.unlock()
                return
            } else {
                guard let r = handler(api, version, body) else { return }
                // Response header v1 (flexible, except ApiVersions): an empty tag buffer.
                response = Self.isFlexible(api, version) ? [0] + r : r
            }
            var w = WireWriter()
            w.int32(Int32(4 + response.count))
            w.int32(corr)
            w.raw(response)
            _ = w.bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// Whether a request version uses the flexible encoding, per the client's own request types.
    public static func isFlexible(_ api: APIKey, _ version: Int16) -> Bool {
        switch api {
        case .apiVersions: return ApiVersionsRequest.isFlexible(version)
        case .initProducerId: return InitProducerIdRequest.isFlexible(version)
        case .produce: return ProduceRequest.isFlexible(version)
        case .fetch: return FetchRequest.isFlexible(version)
        case .metadata: return MetadataRequest.isFlexible(version)
        case .listOffsets: return ListOffsetsRequest.isFlexible(version)
        case .createTopics: return CreateTopicsRequest.isFlexible(version)
        default: return false
        }
    }

    func apiVersionsResponse(_ version: Int16) -> [UInt8] {
        let flex = version >= 3
        var w = WireWriter()
        w.int16(0)
        w.arrayLength(advertised.count, flexible: flex)
        for (k, lo, hi) in advertised {
            w.int16(k.rawValue); w.int16(lo); w.int16(hi); w.tags(flex)
        }
        if version >= 1 { w.int32(0) }
        w.tags(flex)
        return w.bytes
    }

    /// Metadata v1: this broker as node 1 leading every partition of `topics`.
    public func metadataResponse(topics: [(String, Int)]) -> [UInt8] {
        var w = WireWriter()
        w.arrayLength(1, flexible: false)
        w.int32(1); w.string("127.0.0.1", flexible: false); w.int32(port); w.nullableString(nil, flexible: false)
        w.int32(1) // controller
        w.arrayLength(topics.count, flexible: false)
        for (name, n) in topics {
            w.int16(0); w.string(name, flexible: false); w.bool(false)
            w.arrayLength(n, flexible: false)
            for p in 0..<n {
                w.int16(0); w.int32(Int32(p)); w.int32(1)
                w.arrayLength(1, flexible: false); w.int32(1)
                w.arrayLength(1, flexible: false); w.int32(1)
            }
        }
        return w.bytes
    }

    /// Produce v3 answer: the same error for every partition in the request.
    public static func produceResponse(request body: [UInt8], error: ErrorCode, baseOffset: Int64 = 0) -> [UInt8] {
        var parts: [(String, [Int32])] = []
        body.withUnsafeBytes { raw in
            var r = WireReader(raw)
            _ = r.nullableString(flexible: false); _ = r.int16(); _ = r.int32()
            for _ in 0..<r.count(flexible: false) {
                let name = r.string(flexible: false)
                var ps: [Int32] = []
                for _ in 0..<r.count(flexible: false) { ps.append(r.int32()); _ = r.bytesRange(flexible: false) }
                parts.append((name, ps))
            }
        }
        var w = WireWriter()
        w.arrayLength(parts.count, flexible: false)
        for (name, ps) in parts {
            w.string(name, flexible: false)
            w.arrayLength(ps.count, flexible: false)
            for p in ps { w.int32(p); w.int16(error.rawValue); w.int64(baseOffset); w.int64(-1) }
        }
        w.int32(0)
        return w.bytes
    }

    /// The record batch bytes of the first partition of a Produce v3 request.
    public static func firstBatch(_ body: [UInt8]) -> [UInt8] {
        body.withUnsafeBytes { raw in
            var r = WireReader(raw)
            _ = r.nullableString(flexible: false); _ = r.int16(); _ = r.int32()
            _ = r.count(flexible: false); _ = r.string(flexible: false)
            _ = r.count(flexible: false); _ = r.int32()
            return r.bytesRange(flexible: false).map { Array(raw[$0]) } ?? []
        }
    }

    /// Fetch v4 (non-flexible), as parsed from a request: the offset asked for per partition.
    public static func fetchOffsets(_ body: [UInt8]) -> [(topic: String, partition: Int32, offset: Int64)] {
        body.withUnsafeBytes { raw in
            var r = WireReader(raw)
            _ = r.int32(); _ = r.int32(); _ = r.int32(); _ = r.int32(); _ = r.int8()
            var out: [(topic: String, partition: Int32, offset: Int64)] = []
            for _ in 0..<r.count(flexible: false) {
                let topic = r.string(flexible: false)
                for _ in 0..<r.count(flexible: false) {
                    let partition = r.int32(), offset = r.int64()
                    _ = r.int32()
                    out.append((topic, partition, offset))
                }
            }
            return out
        }
    }

    /// A Fetch v4 answer: per partition its high watermark and encoded record batches (maybe none).
    public static func fetchResponse(_ partitions: [(topic: String, partition: Int32, highWatermark: Int64, records: [UInt8])]) -> [UInt8] {
        var w = WireWriter()
        w.int32(0) // throttle
        let byTopic = Dictionary(grouping: partitions, by: \.topic)
        w.arrayLength(byTopic.count, flexible: false)
        for (topic, parts) in byTopic.sorted(by: { $0.key < $1.key }) {
            w.string(topic, flexible: false)
            w.arrayLength(parts.count, flexible: false)
            for p in parts {
                w.int32(p.partition); w.int16(0); w.int64(p.highWatermark); w.int64(p.highWatermark)
                w.arrayLength(0, flexible: false) // aborted transactions
                w.bytesField(p.records, flexible: false)
            }
        }
        return w.bytes
    }
}

/// A SASL listener for the scripted broker: the mechanisms it offers and,
/// per connection, the server side of the exchange the client asked for.
public struct SASLServer: Sendable {
    public let mechanisms: [String]
    public let start: @Sendable (_ mechanism: String) -> SASLServerExchange?
    public init(mechanisms: [String], start: @escaping @Sendable (_ mechanism: String) -> SASLServerExchange?) {
        self.mechanisms = mechanisms
        self.start = start
    }
}

/// The server side of one SASL exchange on one connection.
public protocol SASLServerExchange: AnyObject {
    /// Answers one SaslAuthenticate message: the reply, or an error (the
    /// credentials do not verify); `done` once the client is authenticated.
    func step(_ message: [UInt8]) -> (reply: [UInt8], error: String?, done: Bool)
}

/// SASL/PLAIN (RFC 4616) checked against one user name and password.
public final class PlainServerExchange: SASLServerExchange {
    let username: String, password: String
    public init(username: String, password: String) { self.username = username; self.password = password }
    public func step(_ message: [UInt8]) -> (reply: [UInt8], error: String?, done: Bool) {
        // [authzid] NUL authcid NUL passwd
        let parts = message.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard parts.count == 3, parts[1] == username, parts[2] == password else {
            return ([], "PLAIN: bad credentials \(parts.dropFirst().first.map { "for \($0)" } ?? "(malformed message)")", false)
        }
        return ([], nil, true)
    }
}

/// The SCRAM server side run by an independent implementation: Python's
/// `scramp` (tests/interop/scram_server.py), one process per exchange.
public final class ScrampServerExchange: SASLServerExchange {
    let process = Process()
    let input = Pipe(), output = Pipe()
    var buffered: [UInt8] = []
    var steps = 0

    /// `python` is the venv's interpreter, `script` the path of scram_server.py.
    public init(python: String, script: String, mechanism: String, username: String, password: String,
                forgeSignature: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, mechanism, username, password] + (forgeSignature ? ["--forge-signature"] : [])
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    public func step(_ message: [UInt8]) -> (reply: [UInt8], error: String?, done: Bool) {
        steps += 1
        input.fileHandleForWriting.write(Data((Data(message).base64EncodedString() + "\n").utf8))
        while !buffered.contains(0x0a) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return ([], "scram_server.py ended without an answer", false) }
            buffered += chunk
        }
        let end = buffered.firstIndex(of: 0x0a)!
        let line = Data(buffered[..<end])
        buffered.removeSubrange(...end)
        guard let answer = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
              let reply = (answer["reply"] as? String).flatMap({ Data(base64Encoded: $0) }) else {
            return ([], "scram_server.py answered '\(String(decoding: line, as: UTF8.self))'", false)
        }
        if let error = answer["error"] as? String { return ([], error, false) }
        return (Array(reply), nil, steps == 2)
    }
}

/// The scripted broker could not start (a test failure, not a skip).
public struct ScriptedBrokerError: Error, CustomStringConvertible {
    public let description: String
}
