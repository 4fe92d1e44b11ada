import SecStreamCore
import Foundation
import Kafka
import SecStreamPipeline

/// Cross-instance exactly-once for a consumer group that writes its alerts to
/// a Kafka topic. A partition's checkpoint (`KafkaPartitionState.alertsEnd`)
/// notes where the alerts topic ended when its alerts were last made durable;
/// whatever the previous owner wrote after that, up to a `kill -9`, is in the
/// topic under the header `secstream.source = topic/partition`. When
/// partitions are assigned, this reads the topic from the smallest noted
/// offset per alerts partition up to its end and tells `KafkaAlertMarks` the
/// ids it finds, so the rebuilt windows do not write those alerts again.
struct KafkaAlertsReadback {
    let config: KafkaConfig
    let alertsTopic: String
    let inputTopic: String
    /// Bounds the read: an alerts topic that cannot be read is a remote failure.
    var timeoutMs: Int64 = 60_000

    /// Returns how many alerts of `partitions` it found, and the offsets it read from.
    func load(partitions: [Int32], states: [Int32: KafkaPartitionState],
              into marks: KafkaAlertMarks) throws -> (found: Int, from: [Int32: Int64]) {
        var from: [Int32: Int64] = [:]
        for p in partitions {
            for (q, offset) in states[p]?.alertsEnd ?? [:] { from[q] = min(from[q] ?? offset, offset) }
        }
        // No checkpoint noted the alerts topic: nothing can have been written
        // after one (a state written before alerts went to Kafka keeps its mark).
        guard !from.isEmpty else { return (0, from) }
        var wanted: [[UInt8]: Int32] = [:]
        for p in partitions { wanted[KafkaRecordSink.sourceHeaderValue(TopicPartition(inputTopic, p))] = p }
        let consumer = KafkaConsumer(config: config, options: ConsumerOptions(startPosition: .earliest, maxWaitMs: 100))
        defer { consumer.close() }
        var found = 0
        do {
            let count = try consumer.cluster.partitionCount(alertsTopic)
            let all = (0..<count).map { TopicPartition(alertsTopic, Int32($0)) }
            // Read up to the end as listed now. Tansu lists the last batch's
            // first offset + 1, short of the true end; batches are fetched
            // whole, so reaching it still reads that last batch entirely.
            let ends = try consumer.listOffsets(all, .latest)
            var assignment: [TopicPartition: Int64?] = [:]
            for tp in all {
                // A partition no checkpoint knew (the topic grew since): all of it.
                let start = from[tp.partition]
                if (ends[tp] ?? 0) > (start ?? 0) { assignment[tp] = .some(start) }
            }
            guard !assignment.isEmpty else { return (0, from) }
            try consumer.assign(assignment)
            let deadline = monotonicMs() + timeoutMs
            while assignment.keys.contains(where: { (consumer.position($0) ?? 0) < ends[$0]! }) {
                guard monotonicMs() < deadline else {
                    throw KafkaError.timeout("not read to its end within \(timeoutMs / 1000)s")
                }
                for batch in try consumer.poll(timeoutMs: 200) {
                    for record in batch.records {
                        guard let header = record.headers.first(where: { $0.key == KafkaRecordSink.sourceHeader }),
                              let source = header.value, let partition = wanted[source] else { continue }
                        guard let value = record.value, let alert = marks.parseWritten(value) else {
                            throw RunError(.input, "\(alertsTopic)/\(batch.partition)/\(record.offset): carries \(KafkaRecordSink.sourceHeader) but is not an alert written by secstream")
                        }
                        marks.noteReadBack(id: alert.id, time: alert.time, partition: partition,
                                           from: states[partition]?.alertsEnd ?? [:])
                        found += 1
                    }
                }
            }
        } catch let e as RunError {
            throw e
        } catch {
            throw RunError(.remote, "read back alerts topic \(alertsTopic): \(error)")
        }
        return (found, from)
    }
}
