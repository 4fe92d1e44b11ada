import Codecs
import Kafka
import SecStreamCore
import SecStreamMask

/// The engine's alert sink: one NDJSON line per alert to stdout, a file or a
/// Kafka topic (keyed by `alert_id`); or, on stdout, rows of an `AlertTable`.
package final class AlertWriter: AlertSink {
    let sink: LineSink
    private var line: [UInt8] = []
    package private(set) var written = 0
    /// Alerts written per rule and level, for `secstream_alerts_total`
    /// (one dictionary update per alert; alerts are rare next to events).
    package private(set) var byRule: [RuleLevel: Int] = [:]
    package struct RuleLevel: Hashable {
        package var rule: String
        package var level: String
    }
    /// Rows of this table instead of NDJSON (`--format table`); its header
    /// goes before the first row, so a run without alerts prints nothing.
    package var table: AlertTable?
    /// Called before each alert is written (the progress line erases itself
    /// so a row never lands in the middle of it).
    package var beforeWrite: (() -> Void)?

    /// Alerts the gate rejects are not written (Kafka restarts: already
    /// written before the crash or by the partition's previous owner).
    package var gate: ((Alert) -> Bool)?
    package private(set) var suppressed = 0
    /// Kafka inputs: the input partition an alert belongs to
    /// (`KafkaAlertMarks.partition(of:)`), named in a record header when
    /// alerts go to a topic.
    package var origin: ((Alert) -> TopicPartition?)?

    /// Whether the alerts go to stdout (where a terminal may show them next to the progress line).
    package var writesToStdout = false
    /// Masks the group values (`--mask`, after detection: the engine grouped raw values).
    package var masker: EventMasker?

    package init(sink: LineSink) {
        self.sink = sink
    }

    /// Engine thread. A write that fails throws out of the engine call that
    /// fired the alert, and the run ends with it.
    package func emit(_ alert: Alert) throws {
        if let gate, !gate(alert) {
            suppressed += 1
            return
        }
        line.removeAll(keepingCapacity: true)
        // Group values masked (`--mask`) after detection: the engine grouped raw values.
        var shown = alert
        if let masker {
            shown.group = alert.group.map { .init(field: $0.field, value: masker.maskValue(field: $0.field, value: $0.value)) }
        }
        if let table {
            if written == 0 { line.append(contentsOf: table.header.utf8) }
            line.append(contentsOf: table.row(shown).utf8)
        } else {
            AlertEncoder.encode(shown, into: &line)
        }
        beforeWrite?()
        do {
            try line.withUnsafeBytes {
                try sink.write(line: $0, key: Array(alert.id.description.utf8), origin: self.origin?(alert))
            }
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError(.input, "cannot write alerts: \(error)", cause: error)
        }
        written += 1
        byRule[RuleLevel(rule: alert.ruleID, level: alert.level), default: 0] += 1
    }

    package func makeDurable() throws { try sink.makeDurable() }

    package func close() throws { try sink.close() }
}
