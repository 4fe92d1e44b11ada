import Kafka
import Metrics

/// `secstream ingest`'s families, published per chunk of lines read from
/// the runner's own counts and the producer's delivery statistics.
final class IngestMetrics {
    private let lines: Counter, bytes: Counter
    private let ok: Counter, malformed: Counter
    /// Acknowledged and failed records are counted by the producer itself
    /// (`secstream_kafka_records_{acknowledged,failed}_total{topic}`).
    private let sent: Counter

    init(registry: MetricRegistry, input: String) {
        lines = Counter(registry, "secstream_lines_read_total", help: "Lines read, events or not.", labels: ["input": input])
        bytes = Counter(registry, "secstream_read_bytes_total", help: "Bytes of input read (uncompressed, with newlines).", labels: ["input": input])
        let eventsHelp = "Events read, by outcome."
        ok = Counter(registry, "secstream_events_total", help: eventsHelp, labels: ["input": input, "outcome": "ok"])
        malformed = Counter(registry, "secstream_events_total", help: eventsHelp, labels: ["input": input, "outcome": "malformed"])
        sent = Counter(registry, "secstream_kafka_records_sent_total", help: "Records handed to the Kafka producer.")
    }

    func publish(_ counts: IngestRunner.Counts, _ stats: DeliveryStats) {
        lines.set(Double(counts.lines)); bytes.set(Double(counts.bytes))
        ok.set(Double(counts.lines - counts.blank - counts.malformed)); malformed.set(Double(counts.malformed))
        sent.set(Double(stats.sent))
    }
}
