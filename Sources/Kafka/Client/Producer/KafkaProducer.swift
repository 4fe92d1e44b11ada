import Foundation

/// An asynchronous, batching, idempotent Kafka producer.
///
/// `send` only appends the record to its partition's open batch (blocking
/// when `bufferBytes` are buffered). A sender thread seals batches when
/// full or lingered, groups them per leader broker into Produce requests,
/// pipelines up to `maxInFlight` requests per connection, retries retriable
/// errors with backoff + jitter (refreshing metadata on leader changes), and
/// accounts every record as acked or failed. Thread-safe; call `close()`
/// when done (it flushes and stops the sender thread).
///
/// The work is done by a `RecordAccumulator` (the callers' side), a
/// `ProducerSender` (the sender thread) and, with idempotence, an
/// `IdempotentProducerState`; this type wires them together.
public final class KafkaProducer: @unchecked Sendable {
    public let cluster: Cluster
    public let options: ProducerOptions
    private let accumulator: RecordAccumulator
    private let senderDone = DispatchSemaphore(value: 0)

    /// Connects, and with idempotence obtains a producer id (InitProducerId).
    public init(config: KafkaConfig, options: ProducerOptions = ProducerOptions()) throws {
        let cluster = Cluster(config: config)
        self.cluster = cluster
        self.options = options
        if options.compression.minimumProduceVersion > 0 {
            try ProducerSender.checkProduceVersion(cluster.anyConnection(), options.compression)
        }
        var idempotence: IdempotentProducerState?
        if options.idempotent {
            if options.acks != -1 { throw KafkaError.config("idempotent producer requires acks=all (-1)") }
            idempotence = try IdempotentProducerState(cluster: cluster, options: options)
        }
        let accumulator = RecordAccumulator(options: options, metadataMaxAgeMs: config.metadataMaxAgeMs) {
            try cluster.partitionCount($0, allowAutoCreate: options.allowAutoTopicCreation)
        }
        self.accumulator = accumulator
        let sender = ProducerSender(cluster: cluster, options: options, accumulator: accumulator, idempotence: idempotence)
        let done = senderDone
        let t = Thread {
            sender.run()
            done.signal()
        }
        t.name = "kafka-producer"
        t.start()
    }

    public func send(topic: String, key: [UInt8]? = nil, value: [UInt8]?, headers: [RecordHeader] = [],
                     timestamp: Int64? = nil) throws {
        try send(ProducerRecord(topic: topic, key: key, value: value, headers: headers, timestamp: timestamp))
    }

    /// Appends a record to its partition's batch. Blocks while the buffer is
    /// full; throws if the producer is closed.
    public func send(_ record: ProducerRecord) throws {
        try RecordBatchBuilder.withOptionalBytes(record.key) { k in
            try RecordBatchBuilder.withOptionalBytes(record.value) { v in
                try send(topic: record.topic, keyBytes: k, valueBytes: v, headers: record.headers,
                         timestamp: record.timestamp, partition: record.partition)
            }
        }
    }

    /// The allocation-free form of `send`: key and value are copied straight
    /// from the caller's buffers into the partition's open batch.
    public func send(topic: String, keyBytes: UnsafeRawBufferPointer?, valueBytes: UnsafeRawBufferPointer?,
                     headers: [RecordHeader] = [], timestamp: Int64? = nil, partition explicit: Int32? = nil) throws {
        try accumulator.append(topic: topic, keyBytes: keyBytes, valueBytes: valueBytes, headers: headers,
                               timestamp: timestamp, partition: explicit)
    }

    /// Blocks until every record sent so far is acked or failed.
    public func flush(timeoutMs: Int? = nil) throws {
        try accumulator.flush(until: timeoutMs.map { Date().addingTimeInterval(Double($0) / 1000) })
    }

    /// Flushes, stops the sender thread and closes connections.
    public func close() {
        try? flush(timeoutMs: options.deliveryTimeoutMs)
        if accumulator.close() {
            senderDone.wait()
            cluster.close()
        }
    }

    /// A snapshot of delivery accounting.
    public var deliveryStats: DeliveryStats { accumulator.deliveryStats }
}
