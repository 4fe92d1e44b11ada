import Kafka
import Metrics

/// `secstream ingest`'s families, published per chunk of lines read from
/// the runner's own counts and the producer's delivery statistics.
final class IngestMetrics {
    private let lines: Counter, bytes: Counter
    private let ok: Counter, malformed: Counter
    private let sent: Counter, acked: Counter, failed: Counter

    init(registry: MetricRegistry, input: String) {
        lines = Counter(registry, "secstream_lines_read_total", help: "Lines read, events or not.", labels: ["input": input])
        bytes = Counter(registry, "secstream_read_bytes_total", help: "Bytes of input read (uncompressed, with newlines).", labels: ["input": input])
        let eventsHelp = "Events read, by outcome."
        ok = Counter(registry, "secstream_events_total", help: eventsHelp, labels: ["input": input, "outcome": "ok"])
        malformed = Counter(registry, "secstream_events_total", help: eventsHelp, labels: ["input": input, "outcome": "malformed"])
        sent = Counter(registry, "secstream_kafka_records_sent_total", help: "Records handed to the Kafka producer.")
        acked = Counter(registry, "secstream_kafka_records_acknowledged_total", help: "Records the brokers acknowledged.")
        failed = Counter(registry, "secstream_kafka_records_failed_total", help: "Records that failed after the producer's retries.")
    }

    func publish(_ counts: IngestRunner.Counts, _ stats: DeliveryStats) {
        lines.set(Double(counts.lines)); bytes.set(Double(counts.bytes))
        ok.set(Double(counts.lines - counts.blank - counts.malformed)); malformed.set(Double(counts.malformed))
        sent.set(Double(stats.sent)); acked.set(Double(stats.acked)); failed.set(Double(stats.failed))
    }
}
