import Foundation
import XCTest
@testable import Kafka

/// Producer retry/error paths and SASL exchanges against a scripted broker.
final class KafkaScriptedBrokerTests: XCTestCase {
    func initProducerIdResponse() -> [UInt8] {
        var w = WireWriter()
        w.int32(0); w.int16(0); w.int64(4242); w.int16(3)
        return w.bytes
    }

    func testProducerRetriesNotLeaderWithSameSequenceAndRefreshesMetadata() throws {
        var broker: ScriptedBroker!
        let lock = NSLock()
        var produceCalls = 0
        broker = try ScriptedBroker { api, _, body in
            switch api {
            case .metadata: return broker.metadataResponse(topics: [("t", 2)])
            case .initProducerId: return self.initProducerIdResponse()
            case .produce:
                lock.lock(); produceCalls += 1; let n = produceCalls; lock.unlock()
                return ScriptedBroker.produceResponse(request: body, error: n == 1 ? .notLeaderOrFollower : .none)
            default: return nil
            }
        }
        defer { broker.stop() }
        var opts = ProducerOptions(lingerMs: 1, retryBackoffMs: 10)
        opts.batchBytes = 1 << 20
        let producer = try KafkaProducer(config: try KafkaConfig(bootstrap: broker.bootstrap), options: opts)
        for i in 0..<10 { try producer.send(ProducerRecord(topic: "t", value: [UInt8(i)], partition: 1)) }
        try producer.flush(timeoutMs: 10_000)
        let stats = producer.deliveryStats
        producer.close()
        XCTAssertEqual(stats.acked, 10)
        XCTAssertEqual(stats.failed, 0)
        let produced = broker.bodies(.produce)
        XCTAssertEqual(produced.count, 2)
        // The retry resends the identical batch: same producer id, epoch and base sequence.
        XCTAssertEqual(ScriptedBroker.firstBatch(produced[0]), ScriptedBroker.firstBatch(produced[1]))
        let batch = ScriptedBroker.firstBatch(produced[0])
        batch.withUnsafeBytes { raw in
            var r = WireReader(raw)
            let h = BatchHeader(reader: &r)
            XCTAssertEqual(h.producerId, 4242)
            XCTAssertEqual(h.producerEpoch, 3)
            XCTAssertEqual(h.baseSequence, 0)
            XCTAssertEqual(h.count, 10)
        }
        // NOT_LEADER_OR_FOLLOWER triggers a metadata refresh beyond the initial lookup.
        XCTAssertGreaterThanOrEqual(broker.count(.metadata), 2)
    }

    func testNonRetriableErrorFailsRecordsWithLocation() throws {
        var broker: ScriptedBroker!
        broker = try ScriptedBroker { api, _, body in
            switch api {
            case .metadata: return broker.metadataResponse(topics: [("logs", 1)])
            case .initProducerId: return self.initProducerIdResponse()
            case .produce: return ScriptedBroker.produceResponse(request: body, error: .messageTooLarge)
            default: return nil
            }
        }
        defer { broker.stop() }
        let producer = try KafkaProducer(config: try KafkaConfig(bootstrap: broker.bootstrap))
        try producer.send(topic: "logs", value: [1])
        try producer.send(topic: "logs", value: [2])
        try producer.flush(timeoutMs: 10_000)
        let stats = producer.deliveryStats
        producer.close()
        XCTAssertEqual(stats.sent, 2)
        XCTAssertEqual(stats.acked, 0)
        XCTAssertEqual(stats.failed, 2)
        XCTAssertEqual(stats.failures.map(\.sendIndex), [0, 1])
        XCTAssertTrue(stats.failures[0].description.contains("logs/0"), stats.failures[0].description)
        XCTAssertTrue(stats.failures[0].description.contains("MESSAGE_TOO_LARGE"), stats.failures[0].description)
        XCTAssertEqual(broker.count(.produce), 1, "non-retriable errors are not retried")
    }

    func testRetriesExhaustedFailTheBatch() throws {
        var broker: ScriptedBroker!
        broker = try ScriptedBroker { api, _, body in
            switch api {
            case .metadata: return broker.metadataResponse(topics: [("t", 1)])
            case .initProducerId: return self.initProducerIdResponse()
            case .produce: return ScriptedBroker.produceResponse(request: body, error: .notEnoughReplicas)
            default: return nil
            }
        }
        defer { broker.stop() }
        var opts = ProducerOptions(retries: 2, retryBackoffMs: 5)
        opts.retryBackoffMaxMs = 20
        let producer = try KafkaProducer(config: try KafkaConfig(bootstrap: broker.bootstrap), options: opts)
        try producer.send(topic: "t", value: [1])
        try producer.flush(timeoutMs: 10_000)
        XCTAssertEqual(producer.deliveryStats.failed, 1)
        producer.close()
        XCTAssertEqual(broker.count(.produce), 3, "one attempt plus two retries")
    }

    /// A SCRAM-SHA-256 server side for the scripted exchange: it answers with
    /// a server nonce extending the client's, checks the client proof and
    /// signs (or, when `forgeSignature`, mis-signs) the final message.
    func scramBroker(password: String, forgeSignature: Bool) throws -> ScriptedBroker {
        let lock = NSLock()
        var server: SCRAMClient?
        var clientFinalExpected = ""
        return try ScriptedBroker { api, _, body in
            switch api {
            case .saslHandshake:
                var w = WireWriter()
                w.int16(0); w.arrayLength(1, flexible: false); w.string("SCRAM-SHA-256", flexible: false)
                return w.bytes
            case .saslAuthenticate:
                let msg = body.withUnsafeBytes { raw -> String in
                    var r = WireReader(raw)
                    return String(decoding: r.bytes(flexible: false), as: UTF8.self)
                }
                lock.lock(); defer { lock.unlock() }
                var reply: String
                var error: ErrorCode = .none
                if msg.hasPrefix("n,,") {
                    let nonce = String(msg.split(separator: ",").first { $0.hasPrefix("r=") }!.dropFirst(2))
                    // Recompute what a client knowing the real password must send.
                    var s = SCRAMClient(hash: .sha256, username: "alice", password: "right", clientNonce: nonce)
                    _ = s.clientFirstMessage()
                    reply = "r=\(nonce)SERVER,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
                    clientFinalExpected = (try? s.clientFinalMessage(serverFirst: reply)) ?? ""
                    server = s
                } else {
                    if msg != clientFinalExpected {
                        error = .saslAuthenticationFailed
                        reply = ""
                    } else {
                        let sig = Data(server!.expectedServerSignature).base64EncodedString()
                        reply = forgeSignature ? "v=" + Data(repeating: 1, count: 32).base64EncodedString() : "v=\(sig)"
                    }
                }
                var w = WireWriter()
                w.int16(error.rawValue)
                w.nullableString(error == .none ? nil : "bad proof", flexible: false)
                w.bytesField(Array(reply.utf8), flexible: false)
                return w.bytes
            default: return nil
            }
        }
    }

    func testSCRAMExchangeAuthenticatesOverKafkaFraming() throws {
        let broker = try scramBroker(password: "right", forgeSignature: false)
        defer { broker.stop() }
        let cfg = try KafkaConfig(bootstrap: broker.bootstrap,
                                  sasl: SASLOptions(mechanism: .scramSHA256, username: "alice", password: "right"))
        let conn = try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: broker.port, config: cfg)
        conn.close()
        XCTAssertEqual(broker.count(.saslHandshake), 1)
        XCTAssertEqual(broker.count(.saslAuthenticate), 2)
    }

    func testSCRAMWrongPasswordAndForgedServerAreRejected() throws {
        let broker = try scramBroker(password: "right", forgeSignature: false)
        defer { broker.stop() }
        let wrong = try KafkaConfig(bootstrap: broker.bootstrap,
                                    sasl: SASLOptions(mechanism: .scramSHA256, username: "alice", password: "wrong"))
        XCTAssertThrowsError(try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: broker.port, config: wrong)) {
            XCTAssertTrue("\($0)".contains("authentication failed"), "\($0)")
        }
        let forged = try scramBroker(password: "right", forgeSignature: true)
        defer { forged.stop() }
        let right = try KafkaConfig(bootstrap: forged.bootstrap,
                                    sasl: SASLOptions(mechanism: .scramSHA256, username: "alice", password: "right"))
        XCTAssertThrowsError(try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: forged.port, config: right)) {
            XCTAssertTrue("\($0)".contains("server signature"), "\($0)")
        }
    }

    func testSASLPlainSendsCredentialsAndRejectsUnknownMechanism() throws {
        let broker = try ScriptedBroker { api, _, body in
            switch api {
            case .saslHandshake:
                let mech = body.withUnsafeBytes { raw -> String in var r = WireReader(raw); return r.string(flexible: false) }
                var w = WireWriter()
                w.int16(mech == "PLAIN" ? 0 : ErrorCode.unsupportedSaslMechanism.rawValue)
                w.arrayLength(1, flexible: false); w.string("PLAIN", flexible: false)
                return w.bytes
            case .saslAuthenticate:
                var w = WireWriter()
                w.int16(0); w.nullableString(nil, flexible: false); w.bytesField([], flexible: false)
                return w.bytes
            default: return nil
            }
        }
        defer { broker.stop() }
        let cfg = try KafkaConfig(bootstrap: broker.bootstrap, sasl: SASLOptions(mechanism: .plain, username: "u", password: "p"))
        try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: broker.port, config: cfg).close()
        let auth = broker.bodies(.saslAuthenticate)
        XCTAssertEqual(auth.count, 1)
        XCTAssertEqual(auth[0], [0, 0, 0, 4, 0, 0x75, 0, 0x70]) // int32 length, NUL u NUL p
        let scram = try KafkaConfig(bootstrap: broker.bootstrap, sasl: SASLOptions(mechanism: .scramSHA512, username: "u", password: "p"))
        XCTAssertThrowsError(try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: broker.port, config: scram)) {
            XCTAssertTrue("\($0)".contains("SCRAM-SHA-512 rejected"), "\($0)")
            XCTAssertTrue("\($0)".contains("broker offers PLAIN"), "\($0)")
        }
    }

    func testApiVersionsFallsBackToV0AndNegotiatesMinimumVersions() throws {
        var broker: ScriptedBroker!
        broker = try ScriptedBroker { api, _, _ in
            api == .metadata ? broker.metadataResponse(topics: [("t", 3)]) : nil
        }
        broker.apiVersionsMax = 2
        defer { broker.stop() }
        let conn = try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: broker.port,
                                        config: try KafkaConfig(bootstrap: broker.bootstrap))
        defer { conn.close() }
        // The broker only offers Metadata v1 and Produce v3: the client must use exactly those.
        XCTAssertEqual(try conn.version(for: MetadataRequest.self), 1)
        XCTAssertEqual(try conn.version(for: ProduceRequest.self), 3)
        XCTAssertThrowsError(try conn.version(for: FetchRequest.self)) { XCTAssertTrue("\($0)".contains("does not support fetch"), "\($0)") }
        let meta = try conn.request(MetadataRequest(topics: ["t"]))
        XCTAssertEqual(meta.topics.first?.partitions.count, 3)
        broker.lock.lock()
        let versions = broker.requests.filter { $0.0 == .apiVersions }.map(\.1)
        broker.lock.unlock()
        XCTAssertEqual(versions, [3, 0])
    }

    func testProducerReconnectsAfterBrokerDropsConnection() throws {
        var broker: ScriptedBroker!
        let lock = NSLock()
        var produceCalls = 0
        broker = try ScriptedBroker { api, _, body in
            switch api {
            case .metadata: return broker.metadataResponse(topics: [("t", 1)])
            case .initProducerId: return self.initProducerIdResponse()
            case .produce:
                lock.lock(); produceCalls += 1; let n = produceCalls; lock.unlock()
                // First attempt: the broker dies mid-request (connection closed, no answer).
                return n == 1 ? nil : ScriptedBroker.produceResponse(request: body, error: .none)
            default: return nil
            }
        }
        defer { broker.stop() }
        let producer = try KafkaProducer(config: try KafkaConfig(bootstrap: broker.bootstrap),
                                         options: ProducerOptions(retryBackoffMs: 10))
        for i in 0..<5 { try producer.send(topic: "t", value: [UInt8(i)]) }
        try producer.flush(timeoutMs: 10_000)
        XCTAssertEqual(producer.deliveryStats.acked, 5)
        producer.close()
        XCTAssertEqual(broker.count(.produce), 2)
        let bodies = broker.bodies(.produce)
        XCTAssertEqual(ScriptedBroker.firstBatch(bodies[0]), ScriptedBroker.firstBatch(bodies[1]), "same sequence on resend")
    }
}
