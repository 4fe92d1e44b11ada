import Foundation
import Metrics

/// Kafka request latency and failures for the run's metrics (nothing when it
/// exports none): one observation per request/response pair, taken where the
/// connection reads the response, so produce, fetch (including its long-poll
/// wait) and group requests are all timed the same way.
enum KafkaRequestMetrics {
    static func started() -> UInt64? {
        ActiveMetrics.registry == nil ? nil : DispatchTime.now().uptimeNanoseconds
    }

    static func completed(_ api: APIKey, startedAt: UInt64) {
        guard let registry = ActiveMetrics.registry else { return }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds &- startedAt) / 1e9
        Histogram(registry, "secstream_kafka_request_duration_seconds",
                  help: "Kafka request round trips by API (fetch includes the broker's long-poll wait).",
                  labels: ["api": "\(api)"]).observe(seconds)
    }

    /// A request whose connection broke before its response arrived.
    static func failed(_ api: APIKey) {
        guard let registry = ActiveMetrics.registry else { return }
        Counter(registry, "secstream_kafka_request_errors_total",
                help: "Kafka requests whose connection failed before the response arrived, by API.",
                labels: ["api": "\(api)"]).add()
    }

    /// Consumer lag of a partition after a fetch: its high watermark minus the next offset to read.
    static func lag(topic: String, partition: Int32, records: Int64) {
        guard let registry = ActiveMetrics.registry else { return }
        Gauge(registry, "secstream_kafka_consumer_lag_records",
              help: "Records behind the partition's high watermark at the last fetch.",
              labels: ["topic": topic, "partition": String(partition)]).set(Double(max(0, records)))
    }

    /// A produced batch settled: its records acknowledged by the brokers, or
    /// failed after the producer's retries (every producer: ingest, alerts and
    /// dead letters to topics).
    static func records(topic: String, acknowledged: Bool, count: Int) {
        guard let registry = ActiveMetrics.registry else { return }
        if acknowledged {
            Counter(registry, "secstream_kafka_records_acknowledged_total", help: "Produced records the brokers acknowledged, by topic.",
                    labels: ["topic": topic]).add(Double(count))
        } else {
            Counter(registry, "secstream_kafka_records_failed_total", help: "Produced records that failed after the producer's retries, by topic.",
                    labels: ["topic": topic]).add(Double(count))
        }
    }
}
