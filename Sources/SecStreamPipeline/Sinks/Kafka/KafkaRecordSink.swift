import SecStreamCore
import Foundation
import Kafka

/// Alerts or dead letters as records of a Kafka topic (`--alerts
/// kafka://HOSTS/TOPIC`, `--dead-letter kafka://HOSTS/TOPIC`): one record per
/// NDJSON line, the line without its newline as the value.
///
/// The producer's defaults hold (acks=all, idempotent), so a retried batch is
/// never written twice. Keys are deterministic (an alert's id), so the same
/// alert always lands in the same partition and a compacted topic keeps one
/// copy. `makeDurable` waits until every record is acknowledged: a consumer
/// group commits offsets only after that, and a record that could not be
/// delivered ends the run (exit 4) instead of being dropped.
package final class KafkaRecordSink: LineSink {
    /// The header naming the input partition an alert came from ("topic/partition"):
    /// a new owner of that partition reads it back (`KafkaAlertsReadback`).
    package static let sourceHeader = "secstream.source"

    /// The `sourceHeader` value of an input partition, as written and as read back.
    package static func sourceHeaderValue(_ origin: TopicPartition) -> [UInt8] {
        Array("\(origin.topic)/\(origin.partition)".utf8)
    }

    package let topic: String
    /// The flag and URI the sink was opened for, as error lines name it.
    private let name: String
    private let config: KafkaConfig
    private let producer: KafkaProducer
    /// End offsets are listed on connections of their own: the producer's
    /// sender thread owns the producer's connections.
    private let admin: KafkaAdmin
    private let deliveryTimeoutMs = 30_000

    package init(uri: KafkaURI, flag: String, options: KafkaClientOptions) throws {
        topic = uri.topic
        name = "\(flag) kafka://\(uri.bootstrap)/\(uri.topic)"
        var producerOptions = ProducerOptions()
        if let text = uri.compression {
            guard let compression = RecordCompression(name: text) else {
                throw RunError(.usage, "\(name): compression '\(text)' is not none, gzip, snappy, lz4 or zstd")
            }
            producerOptions.compression = compression
        }
        producerOptions.deliveryTimeoutMs = deliveryTimeoutMs
        // As in `ingest`: retries are bounded by the delivery timeout, not by a count.
        producerOptions.retries = deliveryTimeoutMs / max(1, producerOptions.retryBackoffMaxMs) + 1
        var config = try options.config(bootstrap: uri.bootstrap, clientId: "secstream-output")
        // A hung request is retried within the delivery timeout, not after it.
        config.requestTimeoutMs = min(config.requestTimeoutMs, deliveryTimeoutMs / 3)
        config.connectTimeoutMs = min(config.connectTimeoutMs, 5_000)
        self.config = config
        admin = KafkaAdmin(config: config)
        do {
            // Fails fast, with the topic named, when the brokers are unreachable
            // or the topic does not exist (outputs are never auto-created).
            _ = try admin.partitionCount(topic: topic)
            producer = try KafkaProducer(config: config, options: producerOptions)
        } catch {
            admin.close()
            throw RunError(.remote, "\(name): \(error)")
        }
    }

    /// The configuration of the sink's clients (TLS, SASL), for reading the topic back.
    package var clientConfig: KafkaConfig { config }

    package func write(line: UnsafeRawBufferPointer, key: @autoclosure () -> [UInt8]?, origin: @autoclosure () -> TopicPartition?) throws {
        let value = line.last == 0x0a ? UnsafeRawBufferPointer(rebasing: line.dropLast()) : line
        let headers = origin().map { [RecordHeader(key: Self.sourceHeader, value: Self.sourceHeaderValue($0))] } ?? []
        do {
            if let key = key() {
                try key.withUnsafeBytes { try producer.send(topic: topic, keyBytes: $0, valueBytes: value, headers: headers) }
            } else {
                try producer.send(topic: topic, keyBytes: nil, valueBytes: value, headers: headers)
            }
        } catch {
            throw RunError(.remote, "\(name): \(error)")
        }
    }

    package func makeDurable() throws {
        var timedOut: Error?
        do { try producer.flush(timeoutMs: deliveryTimeoutMs + 10_000) } catch { timedOut = error }
        let stats = producer.deliveryStats
        let unacknowledged = stats.sent - stats.acked
        guard unacknowledged > 0 else { return }
        let cause = stats.failures.first.map { "\($0)" } ?? timedOut.map { "\($0)" } ?? "not acknowledged"
        throw RunError(.remote, "\(name): \(unacknowledged) of \(stats.sent) records not acknowledged (first: \(cause))")
    }

    /// The log end offset of every partition of the topic, read after
    /// `makeDurable`: every record written later lands at or after it. (On a
    /// broker that reports less than the true end, such as Tansu, whose
    /// ListOffsets answers the last batch's first offset + 1, it is still a
    /// lower bound, which is all a reader needs.)
    package func endOffsets() throws -> [Int32: Int64] {
        do {
            var out: [Int32: Int64] = [:]
            for (tp, offset) in try admin.offsets(topic: topic, .latest) { out[tp.partition] = offset }
            return out
        } catch {
            throw RunError(.remote, "\(name): list end offsets: \(error)")
        }
    }

    package func close() throws {
        defer {
            producer.close()
            admin.close()
        }
        try makeDurable()
    }
}
