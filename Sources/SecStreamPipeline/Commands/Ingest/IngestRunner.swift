import Codecs
import Foundation
import Kafka
import SecStreamCore

/// `secstream ingest`: NDJSON lines (files by magic bytes, or stdin) to a
/// Kafka topic, one record per valid line, keyed by `--key`.
///
/// Each line is checked to be one JSON object by the byte scanner (which also
/// finds the key); a malformed line is counted, reported with file:line and
/// dead-lettered, never sent. The producer batches, lingers, compresses,
/// retries and is idempotent with acks=all. The run succeeds only when every
/// record sent was acknowledged; otherwise it fails with exit 4 and says how
/// many records were not, so nothing counted as acked is missing.
public final class IngestRunner {
    public let options: IngestOptions

    /// What happened to the lines, for the summary and the tests.
    public struct Counts: Equatable {
        public var lines = 0
        public var blank = 0
        public var malformed = 0
        public var sent = 0
        public var acked = 0
        public var failed = 0
        public var bytes = 0
    }

    public private(set) var counts = Counts()

    public init(options: IngestOptions) { self.options = options }

    public func run() throws -> Int32 {
        try options.validate()
        let metrics = try RunMetrics.start(options.metrics)
        defer { metrics?.stop() }
        let published = metrics.map { IngestMetrics(registry: $0.registry, input: options.inputs == ["-"] ? "stdin" : "file") }
        let producerOptions = makeProducerOptions()
        var config = try options.kafka.config(bootstrap: options.brokers.text, clientId: "secstream-ingest")
        // A request that hangs (a stopped broker) is retried within the delivery timeout, not after it.
        config.requestTimeoutMs = min(config.requestTimeoutMs, max(1_000, producerOptions.deliveryTimeoutMs / 3))
        config.connectTimeoutMs = min(config.connectTimeoutMs, config.requestTimeoutMs)
        let deadLetters = try DeadLetterWriter(uri: options.deadLetter, kafka: options.kafka)
        let sources = SourceTable()
        let schema = FieldSchema()
        let keyField = options.key.map { schema.intern($0) }
        let scanner = FieldScanner(schema: schema)
        let slots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: max(1, scanner.fieldCount))
        slots.initialize(repeating: .missing)
        defer { slots.deallocate() }
        var key = keyField.map { IngestKey(field: $0) }
        let started = DispatchTime.now()

        if options.createTopic {
            let admin = KafkaAdmin(config: config)
            defer { admin.close() }
            do {
                try admin.createTopic(name: options.topic, partitions: options.partitions,
                                      replicationFactor: options.replicationFactor)
            } catch {
                throw RunError(.remote, "create topic \(options.topic) on \(options.brokers): \(error)")
            }
        }
        let producer: KafkaProducer
        do { producer = try KafkaProducer(config: config, options: producerOptions) } catch {
            throw RunError(.remote, "cannot start producer on \(options.brokers): \(error)")
        }
        var sendError: Error?
        let progress = ProgressLine("ingest", unit: .bytes, total: ProgressLine.fileSizes(options.inputs), mode: options.progress)
        defer { progress.clear() }
        var bytesBefore: Int64 = 0
        do {
            for input in options.inputs {
                let name = input == "-" ? "stdin" : input
                let source = sources.file(name)
                let reader: LineChunkReader
                let bytes: ByteSourceReader
                do {
                    bytes = try ByteSourceReader(path: input)
                    reader = try LineChunkReader(source: bytes)
                } catch {
                    throw RunError(.input, "\(name): \(error)")
                }
                defer { bytesBefore += bytes.sourceBytesRead }
                while true {
                    let chunk: LineChunk?
                    do { chunk = try reader.next() } catch { throw RunError(.input, "\(name): \(error)") }
                    guard let chunk else { break }
                    defer { published?.publish(counts, producer.deliveryStats) }
                    progress.report(done: bytesBefore + bytes.sourceBytesRead, events: Int64(counts.lines))
                    for line in chunk {
                        counts.lines += 1
                        counts.bytes += line.length + 1
                        let location = EventLocation(source: source, position: Int64(line.number))
                        if line.isOversized {
                            try deadLetters.writeMalformed("line of \(line.length) bytes exceeds the 1 MiB limit",
                                                           location: location, sources: sources,
                                                           raw: UnsafeRawBufferPointer(start: nil, count: 0))
                            counts.malformed += 1
                            continue
                        }
                        if line.length == 0 { counts.blank += 1; continue }
                        let result = scanner.scan(line.bytes, into: slots)
                        guard result.isOK else {
                            try deadLetters.writeMalformed(result.description, location: location, sources: sources, raw: line.bytes)
                            counts.malformed += 1
                            continue
                        }
                        let event = EventView(line: line.bytes, slots: UnsafeBufferPointer(slots))
                        do {
                            if key != nil {
                                try key!.withKey(of: event) { k in
                                    try producer.send(topic: options.topic, keyBytes: k, valueBytes: line.bytes)
                                }
                            } else {
                                try producer.send(topic: options.topic, keyBytes: nil, valueBytes: line.bytes)
                            }
                        } catch {
                            // The producer is unusable (no metadata, closed): stop reading,
                            // account for what was sent, fail with exit 4 below.
                            throw IngestSendError(underlying: error, location: DeadLetterWriter.text(sources.resolve(location)))
                        }
                    }
                }
            }
        } catch let e as IngestSendError {
            sendError = e
        } catch {
            producer.close()
            try? deadLetters.close()
            throw error
        }
        progress.clear()
        try? producer.flush(timeoutMs: producerOptions.deliveryTimeoutMs + 5_000)
        let stats = producer.deliveryStats
        producer.close()
        try deadLetters.close()
        counts.sent = stats.sent
        counts.acked = stats.acked
        counts.failed = stats.failed
        published?.publish(counts, stats)
        try metrics?.finish()
        if options.summary {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            let line = String(format: "secstream: ingest %d lines (%.1f MB) in %.2fs to %@: %d sent, %d acked, %d failed, %d malformed, %d blank",
                              counts.lines, Double(counts.bytes) / 1e6, seconds, options.topic, counts.sent, counts.acked,
                              counts.failed, counts.malformed, counts.blank)
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        let unacknowledged = counts.sent - counts.acked
        if let sendError {
            throw RunError(.remote, "\(sendError); \(unacknowledged) of \(counts.sent) records sent were not acknowledged")
        }
        if unacknowledged > 0 {
            let first = stats.failures.first.map { " (first: \($0))" } ?? ""
            throw RunError(.remote, "\(unacknowledged) of \(counts.sent) records were not acknowledged by \(options.brokers)\(first)")
        }
        return 0
    }

    private func makeProducerOptions() -> ProducerOptions {
        var p = ProducerOptions()
        p.compression = options.compression.record
        p.acks = options.acks.wireValue
        // Idempotence needs acks=all (as in the Java client, it is on by default and off otherwise).
        p.idempotent = options.acks == .all
        p.deliveryTimeoutMs = Int(options.deliveryTimeout.milliseconds)
        // Retries are bounded by the delivery timeout (backoff tops out at
        // retryBackoffMaxMs); the count only bounds start-up (InitProducerId).
        p.retries = max(3, p.deliveryTimeoutMs / max(1, p.retryBackoffMaxMs) + 1)
        return p
    }
}

/// A `send` that failed (no metadata for the topic, producer closed), with the input line it was at.
private struct IngestSendError: Error, CustomStringConvertible {
    let underlying: Error
    let location: String
    var description: String { "\(location): \(underlying)" }
}
