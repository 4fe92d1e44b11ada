import Foundation
import Kafka
import SecStreamCore
import SecStreamPipeline

/// What a Kafka session does with partitions it is given before its first
/// record (the partitions it starts with, and those the group assigns while
/// it joins): seeks each to its resume offset with its alert mark and replay
/// rule, tells the archive what is archived, starts its resume tracker; in a
/// group, says on stderr who owns what, reads the partitions' alerts back
/// from a Kafka alerts topic and checkpoints those no checkpoint covers yet;
/// then writes the `assigned` readiness line. Runs on the thread that polls.
final class KafkaAssignmentHandler {
    private let run: KafkaRun
    private let checkpoint: KafkaCheckpoint?
    private let restartSkips: RestartSkipRules

    init(run: KafkaRun, checkpoint: KafkaCheckpoint?, restartSkips: RestartSkipRules) {
        self.run = run
        self.checkpoint = checkpoint
        self.restartSkips = restartSkips
    }

    func take(_ tps: [TopicPartition]) throws {
        let uri = run.uri
        let consumer = run.consumer
        let states = try run.store.map { try $0.load(dataTopic: uri.topic) } ?? [:]
        var starts: [String] = []
        for tp in tps.sorted() {
            if let state = states[tp.partition] {
                consumer.seek(tp, to: state.resume)
                run.marks.merge(state.mark, partition: tp.partition)
                if let time = state.resumeTime, let until = state.replayUntil {
                    restartSkips.set(partition: tp.partition, time: time, until: until)
                }
            }
            try checkpoint?.archive?.resume(partition: tp.partition, archivedThrough: states[tp.partition]?.archived)
            let offset = consumer.position(tp) ?? 0
            checkpoint?.startTracking(partition: tp.partition, at: offset)
            starts.append("\(tp.partition)@\(offset)")
        }
        if let group = uri.group, !tps.isEmpty {
            // One line per (re)assignment: operators (and the tests) see who owns what.
            let line = "secstream: kafka group \(group): \(uri.topic) partitions \(consumer.assignment.map { String($0.partition) }.joined(separator: ",")) (resuming \(starts.joined(separator: " ")))\n"
            FileHandle.standardError.write(Data(line.utf8))
            if let readback = run.readback {
                let (found, from) = try readback.load(partitions: tps.map(\.partition), states: states, into: run.marks)
                if !from.isEmpty {
                    let offsets = from.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
                    FileHandle.standardError.write(Data("secstream: kafka group \(group): \(found) alerts of partitions \(tps.map { String($0.partition) }.joined(separator: ",")) already in alerts topic \(readback.alertsTopic) (read from offsets \(offsets))\n".utf8))
                }
            }
            // A partition no checkpoint covers yet gets one now, before any
            // of its records is read. Without it, an instance killed before
            // its first checkpoint leaves nothing behind: the next owner would
            // start at the then-latest offset (skipping records), could not
            // know where to read the alerts topic back from (repeating
            // alerts), and would leave the dead instance's archive objects.
            let fresh = tps.filter { states[$0.partition] == nil }
            if let checkpoint, !fresh.isEmpty {
                let ends = try run.alertsTopic?.endOffsets()
                var initial: [Int32: KafkaPartitionState] = [:]
                for tp in fresh {
                    let start = consumer.position(tp) ?? 0
                    initial[tp.partition] = KafkaPartitionState(resume: start, mark: AlertMark(),
                                                                archived: checkpoint.archive == nil ? nil : start, alertsEnd: ends)
                }
                try checkpoint.save(initial, consumer: consumer)
            }
        }
        var fields: [(String, ReadinessReporter.Value)] = [("topic", .string(uri.topic))]
        if let group = uri.group { fields.append(("group", .string(group))) }
        fields.append(("partitions", .ints(consumer.assignment.map { Int64($0.partition) }.sorted())))
        fields.append(("resuming", .objects(tps.sorted().map { tp in
            [("partition", .int(Int64(tp.partition))), ("offset", .int(consumer.position(tp) ?? 0))]
        })))
        try run.ready?.report("assigned", fields)
    }
}
