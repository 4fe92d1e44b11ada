import Foundation
import XCTest
@testable import Kafka
import KafkaTestSupport
import TestSupport

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

    /// A broker that lost an idempotent producer's state: every batch of the
    /// first producer epoch gets `lostStateError`; the next epoch's batches
    /// are checked for sequence continuity from 0 (as a real broker does)
    /// and their record values kept in the order they were written.
    final class LostStateLog: @unchecked Sendable {
        let lock = NSLock()
        let lostStateError: ErrorCode
        var written: [UInt8] = []
        var nextSequence: Int32 = 0
        var writtenHeaders: [(producerId: Int64, epoch: Int16, baseSequence: Int32, count: Int32)] = []
        init(lostStateError: ErrorCode) { self.lostStateError = lostStateError }

        /// The written batches' sequences run contiguously from 0 over all 30 records.
        var sequencesAreContiguousFromZero: Bool {
            var next: Int32 = 0
            for h in writtenHeaders {
                guard h.baseSequence == next else { return false }
                next += h.count
            }
            return next == 30
        }

        func produce(_ body: [UInt8], oldEpoch: (Int64, Int16)) -> [UInt8] {
            let batch = ScriptedBroker.firstBatch(body)
            let h = batch.withUnsafeBytes { raw -> BatchHeader in var r = WireReader(raw); return BatchHeader(reader: &r) }
            lock.lock(); defer { lock.unlock() }
            if (h.producerId, h.producerEpoch) == oldEpoch {
                return ScriptedBroker.produceResponse(request: body, error: lostStateError)
            }
            guard h.baseSequence == nextSequence else {
                return ScriptedBroker.produceResponse(request: body, error: .outOfOrderSequenceNumber)
            }
            let records = try! RecordBatchDecoder.decode(batch, range: 0..<batch.count, topic: "t", partition: 0,
                                                         fromOffset: 0, highWatermark: 0)
            for b in records { for r in b.records { written.append(r.value!.first!) } }
            writtenHeaders.append((h.producerId, h.producerEpoch, h.baseSequence, h.count))
            nextSequence += h.count
            return ScriptedBroker.produceResponse(request: body, error: .none)
        }
    }

    /// Sends 30 one-byte records, usually in three batches of ten (fixed
    /// timestamps make each record 8 bytes; the pause lets the sender seal a
    /// full batch before the next record lands in it), and waits for every
    /// one to be resolved.
    func produceThirtyRecords(_ broker: ScriptedBroker) throws -> DeliveryStats {
        var opts = ProducerOptions(lingerMs: 1_000, retryBackoffMs: 5)
        opts.retryBackoffMaxMs = 20
        opts.batchBytes = RecordBatchBuilder.headerSize + 10 * 8
        let producer = try KafkaProducer(config: try KafkaConfig(bootstrap: broker.bootstrap), options: opts)
        for i in 0..<30 {
            try producer.send(ProducerRecord(topic: "t", value: [UInt8(i)], timestamp: 1_000, partition: 0))
            if i % 10 == 9 { usleep(20_000) }
        }
        try producer.flush(timeoutMs: 10_000)
        let stats = producer.deliveryStats
        producer.close()
        return stats
    }

    func testUnknownProducerIdGetsANewProducerIdAndResequencesFromZero() throws {
        let log = LostStateLog(lostStateError: .unknownProducerId)
        var broker: ScriptedBroker!
        let lock = NSLock()
        var inits = 0
        broker = try ScriptedBroker { api, _, body in
            switch api {
            case .metadata: return broker.metadataResponse(topics: [("t", 1)])
            case .initProducerId:
                // InitProducerId v1 cannot bump an epoch: the second call hands out a new id.
                lock.lock(); inits += 1; let n = inits; lock.unlock()
                var w = WireWriter()
                w.int32(0); w.int16(0); w.int64(n == 1 ? 4242 : 5151); w.int16(n == 1 ? 3 : 0)
                return w.bytes
            case .produce: return log.produce(body, oldEpoch: (4242, 3))
            default: return nil
            }
        }
        defer { broker.stop() }
        let stats = try produceThirtyRecords(broker)
        XCTAssertEqual(stats.acked, 30)
        XCTAssertEqual(stats.failed, 0, "\(stats.failures)")
        XCTAssertEqual(log.written, (0..<30).map { UInt8($0) }, "every record written once, in order")
        XCTAssertEqual(broker.count(.initProducerId), 2, "one re-initialisation")
        XCTAssertEqual(Set(log.writtenHeaders.map(\.producerId)), [5151])
        XCTAssertEqual(Set(log.writtenHeaders.map(\.epoch)), [0])
        XCTAssertTrue(log.sequencesAreContiguousFromZero, "\(log.writtenHeaders)")
        // v1 has no id/epoch fields: the re-initialisation is a plain request (null transactional id, timeout).
        XCTAssertEqual(broker.bodies(.initProducerId)[1].count, 2 + 4)
    }

    func testOutOfOrderSequenceOnTheOldestBatchBumpsTheEpochWithInitProducerIdV3() throws {
        let log = LostStateLog(lostStateError: .outOfOrderSequenceNumber)
        var broker: ScriptedBroker!
        broker = try ScriptedBroker { api, version, body in
            switch api {
            case .metadata: return broker.metadataResponse(topics: [("t", 1)])
            case .initProducerId:
                // v3 (flexible): a bump names the current id and epoch and gets epoch + 1.
                let (id, epoch) = body.withUnsafeBytes { raw -> (Int64, Int16) in
                    var r = WireReader(raw)
                    _ = r.nullableString(flexible: true); _ = r.int32()
                    return (r.int64(), r.int16())
                }
                var w = WireWriter()
                w.int32(0); w.int16(0); w.int64(4242); w.int16(id == 4242 ? epoch + 1 : 3); w.tags(true)
                return w.bytes
            case .produce: return log.produce(body, oldEpoch: (4242, 3))
            default: return nil
            }
        }
        broker.advertised = ScriptedBroker.defaultAdvertised.map { $0.0 == .initProducerId ? (.initProducerId, 0, 3) : $0 }
        defer { broker.stop() }
        let stats = try produceThirtyRecords(broker)
        XCTAssertEqual(stats.acked, 30)
        XCTAssertEqual(stats.failed, 0, "\(stats.failures)")
        XCTAssertEqual(log.written, (0..<30).map { UInt8($0) }, "every record written once, in order")
        let inits = broker.bodies(.initProducerId)
        XCTAssertEqual(inits.count, 2, "one bump, although every in-flight batch was out of order")
        // The bump request: null transactional id, timeout, then the current producer id 4242 and epoch 3.
        XCTAssertEqual(Array(inits[1].suffix(11)), [0, 0, 0, 0, 0, 0, 0x10, 0x92, 0, 3, 0])
        XCTAssertEqual(Set(log.writtenHeaders.map(\.producerId)), [4242])
        XCTAssertEqual(Set(log.writtenHeaders.map(\.epoch)), [4])
        XCTAssertTrue(log.sequencesAreContiguousFromZero, "\(log.writtenHeaders)")
    }

    func testZstdNeedsProduceV7AndSaysSoInOneLine() throws {
        var broker: ScriptedBroker!
        broker = try ScriptedBroker { api, _, _ in
            switch api {
            case .metadata: return broker.metadataResponse(topics: [("t", 1)])
            case .initProducerId: return self.initProducerIdResponse()
            default: return nil
            }
        }
        defer { broker.stop() }
        // The scripted broker offers Produce v3 only (a Kafka 0.11 broker).
        XCTAssertThrowsError(try KafkaProducer(config: try KafkaConfig(bootstrap: broker.bootstrap),
                                               options: ProducerOptions(compression: .zstd))) {
            XCTAssertEqual("\($0)", "kafka config error: zstd compression needs Produce v7 (Kafka 2.1 or later); "
                           + "broker \(broker.bootstrap) supports Produce up to v3")
        }
        XCTAssertEqual(broker.count(.produce), 0)
        // Snappy has no such floor.
        let producer = try KafkaProducer(config: try KafkaConfig(bootstrap: broker.bootstrap), options: ProducerOptions(compression: .snappy))
        producer.close()
    }

    func testReachingAStaleHighWatermarkIsNotCaughtUpUntilAFetchThereComesBackEmpty() throws {
        let topic = try StaleWatermarkTopic(topic: "t", values: (0..<4).map { Array("v\($0)".utf8) }, staleEnd: 2)
        defer { topic.stop() }
        let tp = TopicPartition("t", 0)
        let consumer = KafkaConsumer(config: try KafkaConfig(bootstrap: topic.bootstrap), options: ConsumerOptions(maxWaitMs: 10))
        defer { consumer.close() }
        try consumer.assign([tp: 0])
        var values: [String] = []
        func poll() throws {
            let batches = try consumer.poll(timeoutMs: 10)
            values += batches.flatMap(\.records).map { String(decoding: $0.value!, as: UTF8.self) }
        }

        try poll()
        XCTAssertEqual(values, ["v0", "v1"])
        XCTAssertEqual(consumer.highWatermark(tp), 2, "the broker under-reports the log end")
        XCTAssertFalse(consumer.isDrained(tp), "at the reported high watermark, but no fetch there came back empty")
        XCTAssertFalse(consumer.isCaughtUp)
        try poll()
        XCTAssertEqual(values, ["v0", "v1", "v2", "v3"], "the records the stale high watermark hid")
        XCTAssertFalse(consumer.isCaughtUp)
        try poll()
        XCTAssertTrue(consumer.isDrained(tp))
        XCTAssertTrue(consumer.isCaughtUp, "a fetch at the position came back empty")
        XCTAssertEqual(topic.fetchedAt.prefix(3), [0, 2, 4])
        consumer.seek(tp, to: 1)
        XCTAssertFalse(consumer.isCaughtUp, "a seek forgets the empty fetch")
    }

    func testRestampRewritesIdempotenceFieldsAndKeepsTheBatchValid() throws {
        var b = RecordBatchBuilder()
        for i in 0..<5 { b.append(key: nil, value: Array("v\(i)".utf8), headers: [], timestamp: 1_000 + Int64(i)) }
        var encoded = try b.build(compression: .lz4, producerId: 1, producerEpoch: 1, baseSequence: 100)
        RecordBatchBuilder.restamp(&encoded, producerId: 77, producerEpoch: 9, baseSequence: 5)
        XCTAssertEqual(encoded, try b.build(compression: .lz4, producerId: 77, producerEpoch: 9, baseSequence: 5))
        let decoded = try RecordBatchDecoder.decode(encoded, range: 0..<encoded.count, topic: "t", partition: 0, fromOffset: 0, highWatermark: 5)
        XCTAssertEqual(decoded.flatMap(\.records).map { String(decoding: $0.value!, as: UTF8.self) }, ["v0", "v1", "v2", "v3", "v4"])
    }

    /// A broker with a SCRAM listener whose server side is Python's `scramp`
    /// (tests/interop/scram_server.py), not the client's own code: it knows
    /// user alice with `password`, checks the client proof and signs (or,
    /// when `forgeSignature`, mis-signs) the server-final message.
    func scramBroker(mechanism: String = "SCRAM-SHA-256", password: String, forgeSignature: Bool) throws -> ScriptedBroker {
        try PythonVenv.requireVenv()
        let python = PythonVenv.python, script = TestPaths.packageRoot + "/tests/interop/scram_server.py"
        let sasl = SASLServer(mechanisms: [mechanism]) { asked in
            try? ScrampServerExchange(python: python, script: script, mechanism: asked, username: "alice",
                                      password: password, forgeSignature: forgeSignature)
        }
        return try ScriptedBroker(sasl: sasl) { _, _, _ in nil }
    }

    /// A broker whose size prefix lies (negative, past the bound, or too small
    /// for a header) is refused at once, before anything is allocated for it.
    func testLyingFrameSizeIsRefusedAtOnce() throws {
        for claimed: UInt32 in [0xFFFF_FFFF, 0x8000_0000, 0x7FFF_FFFF, UInt32(BrokerConnection.maxFrameSize + 1), 2] {
            let broker = try ScriptedBroker { _, _, _ in nil }
            broker.hostileFrameSize = claimed
            defer { broker.stop() }
            let start = Date()
            XCTAssertThrowsError(try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: broker.port,
                                                      config: try KafkaConfig(bootstrap: broker.bootstrap))) { error in
                XCTAssertTrue("\(error)".contains("bad frame size \(Int(Int32(bitPattern: claimed)))"), "\(claimed): \(error)")
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 4, "refused on the size, not after waiting for the bytes")
        }
    }

    func testSCRAMExchangeAuthenticatesOverKafkaFraming() throws {
        for (mechanism, hash) in [("SCRAM-SHA-256", SASLMechanism.scramSHA256), ("SCRAM-SHA-512", .scramSHA512)] {
            let broker = try scramBroker(mechanism: mechanism, password: "right", forgeSignature: false)
            defer { broker.stop() }
            let cfg = try KafkaConfig(bootstrap: broker.bootstrap,
                                      sasl: SASLOptions(mechanism: hash, username: "alice", password: "right"))
            let conn = try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: broker.port, config: cfg)
            conn.close()
            XCTAssertEqual(broker.count(.saslHandshake), 1, mechanism)
            XCTAssertEqual(broker.count(.saslAuthenticate), 2, mechanism)
            XCTAssertEqual(broker.authenticated, [mechanism])
            XCTAssertEqual(broker.authenticationFailures, [])
        }
    }

    func testSCRAMWrongPasswordAndForgedServerAreRejected() throws {
        let broker = try scramBroker(password: "right", forgeSignature: false)
        defer { broker.stop() }
        let wrong = try KafkaConfig(bootstrap: broker.bootstrap,
                                    sasl: SASLOptions(mechanism: .scramSHA256, username: "alice", password: "wrong"))
        XCTAssertThrowsError(try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: broker.port, config: wrong)) {
            XCTAssertTrue("\($0)".contains("authentication failed"), "\($0)")
            XCTAssertTrue("\($0)".contains("invalid credentials with SASL mechanism SCRAM-SHA-256"), "\($0)")
        }
        XCTAssertEqual(broker.authenticated, [])
        XCTAssertEqual(broker.authenticationFailures.count, 1)
        XCTAssertTrue(broker.authenticationFailures.first?.contains("ScramException") == true, "\(broker.authenticationFailures)")
        let forged = try scramBroker(password: "right", forgeSignature: true)
        defer { forged.stop() }
        let right = try KafkaConfig(bootstrap: forged.bootstrap,
                                    sasl: SASLOptions(mechanism: .scramSHA256, username: "alice", password: "right"))
        XCTAssertThrowsError(try BrokerConnection(nodeId: -1, host: "127.0.0.1", port: forged.port, config: right)) {
            XCTAssertTrue("\($0)".contains("server signature does not verify"), "\($0)")
        }
        // scramp accepted the client's proof: only the forged signature failed.
        XCTAssertEqual(forged.authenticated, ["SCRAM-SHA-256"])
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
