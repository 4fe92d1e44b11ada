import Codecs
import Foundation
import Kafka
import SecStreamCore

/// `secstream process --input kafka://HOSTS/TOPIC[?group=ID]`.
///
/// Without a group: every partition (assign mode), from the beginning with
/// `--from-beginning`, else from the end. With a group: the partitions the
/// group assigns, with exactly-once alerts across crashes and rebalances
/// (`KafkaCheckpoint`, `KafkaAlertMarks`). The run ends after `--until-idle`
/// without records, on SIGINT/SIGTERM with `--follow`, or else once every
/// partition is read up to its high watermark.
final class KafkaProcessRunner {
    private let options: ProcessOptions
    private let uri: KafkaURI
    private let engineOptions: EngineOptions
    /// `--ready-file`: `assigned`, `checkpoint` and `caught-up` lines.
    private let ready: ReadinessReporter?

    init(options: ProcessOptions, uri: KafkaURI, engineOptions: EngineOptions, ready: ReadinessReporter?) {
        self.options = options
        self.uri = uri
        self.engineOptions = engineOptions
        self.ready = ready
    }

    func run() throws -> Int32 {
        let config = try options.kafka.config(bootstrap: uri.bootstrap)
        let untilIdleMs = options.untilIdle?.milliseconds
        let sessionMs = options.sessionTimeout.milliseconds
        let commitMs = options.commitInterval.milliseconds
        let rules = try RuleSetFactory.load(options)
        let marks = KafkaAlertMarks(topic: uri.topic)
        let (alerts, alertsTopic) = try openAlerts(marks: marks)
        alerts.gate = uri.group == nil ? nil : { marks.admit($0) }
        alerts.source = { [topic = uri.topic] alert in
            let p = marks.partition(of: alert)
            return p < 0 ? nil : "\(topic)/\(p)"
        }
        let readback = alertsTopic.map {
            KafkaAlertsReadback(config: $0.clientConfig, alertsTopic: $0.topic, inputTopic: uri.topic)
        }
        let deadLetters = try DeadLetterWriter(uri: options.deadLetter, kafka: options.kafka)
        let sources = SourceTable()
        // One archive sink for the whole run (it outlives the sessions a
        // rebalance starts); with a group it joins every checkpoint.
        let archive = try options.archive.map { archiveConfig -> KafkaArchiveSink in
            let archiveOptions = try ArchiveWriterOptions(archiveConfig)
            let store = try ArchiveStoreErrors.open(archiveConfig.uri, flag: "--archive")
            return KafkaArchiveSink(writer: ArchiveWriter(store: store, options: archiveOptions, sources: sources),
                                    store: store, topic: uri.topic, sources: sources)
        }

        var consumerOptions = ConsumerOptions(startPosition: options.fromBeginning ? .earliest : .latest,
                                              sessionTimeoutMs: Int32(sessionMs),
                                              heartbeatIntervalMs: Int(max(100, sessionMs / 5)))
        consumerOptions.rebalanceTimeoutMs = Int32(max(sessionMs, 10_000))
        let consumer = KafkaConsumer(config: config, options: consumerOptions)
        var store: KafkaStateStore?
        do {
            if let group = uri.group {
                store = KafkaStateStore(group: group, config: config)
                try store!.prepare()
                consumer.subscribe(topic: uri.topic, group: group)
            } else {
                let admin = KafkaAdmin(config: config)
                defer { admin.close() }
                let count = try admin.partitionCount(topic: uri.topic)
                var all: [TopicPartition: Int64?] = [:]
                for p in 0..<count { all[TopicPartition(uri.topic, Int32(p))] = .some(nil) }
                try consumer.assign(all)
            }
        } catch let e as RunError {
            throw e
        } catch {
            throw RunError(.remote, "kafka \(uri.bootstrap) topic \(uri.topic): \(error)")
        }
        if options.follow { StopSignal.install() }
        defer {
            consumer.onAssigned = nil
            consumer.onRevoked = nil
            consumer.close()
            store?.close()
        }

        var sessions = 0
        var lines = 0
        var replaySkipped = 0
        while true {
            sessions += 1
            let pipeline = EventPipeline(rules: rules, engineOptions: engineOptions, sources: sources, alerts: alerts,
                                         deadLetters: deadLetters, archive: archive, threads: options.threads)
            let checkpoint = store.map { s in
                KafkaCheckpoint(topic: uri.topic, marks: marks, store: s, ready: ready, makeAlertsDurable: {
                    try alerts.makeDurable()
                    // Dead letters of records before the committed offsets are never written again.
                    try deadLetters.makeDurable()
                    return try alertsTopic?.endOffsets()
                })
            }
            checkpoint?.archive = archive
            let skipRules = RestartSkipRules()
            if uri.group != nil {
                pipeline.restartSkipRule = { skipRules.rule(input: $0) }
            }
            let prepare: ([TopicPartition]) throws -> Void = { [uri] tps in
                let states = try store.map { try $0.load(dataTopic: uri.topic) } ?? [:]
                // Start the idle clock now, so a partition counts as idle only
                // after `--idle-timeout` without records from here on.
                pipeline.engine.advance(wallClock: monotonicMs())
                var starts: [String] = []
                for tp in tps.sorted() {
                    if let state = states[tp.partition] {
                        consumer.seek(tp, to: state.resume)
                        marks.merge(state.mark, partition: tp.partition)
                        if let time = state.resumeTime, let until = state.replayUntil {
                            skipRules.set(partition: tp.partition, time: time, until: until)
                        }
                    }
                    try checkpoint?.archive?.resume(partition: tp.partition, archivedThrough: states[tp.partition]?.archived)
                    let offset = consumer.position(tp) ?? 0
                    checkpoint?.tracker.start(partition: tp.partition, at: offset)
                    pipeline.engine.registerInput(Int(tp.partition))
                    starts.append("\(tp.partition)@\(offset)")
                }
                if let group = uri.group, !tps.isEmpty {
                    // One line per (re)assignment: operators (and the tests) see who owns what.
                    let line = "secstream: kafka group \(group): \(uri.topic) partitions \(consumer.assignment.map { String($0.partition) }.joined(separator: ",")) (resuming \(starts.joined(separator: " ")))\n"
                    FileHandle.standardError.write(Data(line.utf8))
                    if let readback {
                        let (found, from) = try readback.load(partitions: tps.map(\.partition), states: states, into: marks)
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
                        let ends = try alertsTopic?.endOffsets()
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
                try self.ready?.report("assigned", fields)
            }
            try prepare(consumer.assignment)
            let source = KafkaLineSource(
                consumer: consumer, topic: uri.topic, sources: sources, engine: pipeline.engine, checkpoint: checkpoint,
                untilIdleMs: untilIdleMs, stopWhenCaughtUp: untilIdleMs == nil && !options.follow,
                commitIntervalMs: commitMs, prepare: prepare, ready: ready, shouldStop: { StopSignal.isRaised })
            do { try pipeline.run(source) } catch {
                source.abort()
                throw error
            }
            lines += pipeline.lines
            replaySkipped += pipeline.replaySkipped
            switch source.end {
            case .rebalanced?:
                continue
            case .stopped? where uri.group != nil:
                // Windows stay open: the checkpoint hands them to the next owner, which rebuilds them.
                try source.finalCheckpoint()
                try alerts.close()
                try deadLetters.close()
                try archive?.close()
            default:
                pipeline.engine.finish()
                try source.finalCheckpoint()
                try pipeline.finish()
            }
            if options.summary {
                let withheld = alerts.suppressed > 0 ? ", \(alerts.suppressed) already written before a restart or rebalance" : ""
                let skipped = replaySkipped > 0 ? ", \(replaySkipped) replayed records of ended windows skipped" : ""
                let line = pipeline.summaryLine() + " (\(lines) records over \(sessions) session(s)\(withheld)\(skipped))"
                FileHandle.standardError.write(Data((line + "\n").utf8))
                if let archive { ArchiveMessages.say(archive.summaryLine()) }
            }
            return options.failOnAlert && alerts.written > 0 ? exitFindings : 0
        }
    }

    /// Alerts go to stdout, a file or a Kafka topic (returned too: the
    /// checkpoints note its end offsets, and new owners read it back). With a
    /// group, a file is appended to (never truncated): what an earlier run of
    /// this instance wrote there becomes the starting alert marks, so a crash
    /// between writing alerts and committing does not write them twice.
    private func openAlerts(marks: KafkaAlertMarks) throws -> (AlertWriter, KafkaRecordSink?) {
        if case .kafka(let alertsURI) = options.alerts {
            let topic = try KafkaRecordSink(uri: alertsURI, flag: "--alerts",
                                            options: options.kafka)
            return (AlertWriter(sink: topic), topic)
        }
        guard uri.group != nil, case .file(let alertsPath) = options.alerts else {
            return (try AlertWriter(uri: options.alerts, kafka: options.kafka), nil)
        }
        guard CompressionCodec.fromExtension(path: alertsPath) == .none else {
            throw RunError(.usage, "--alerts \(alertsPath): a consumer-group run appends to its alerts file; use an uncompressed file")
        }
        try marks.loadAlertsFile(alertsPath)
        do {
            let file = try FileSink(path: alertsPath, append: true)
            return (AlertWriter(sink: StreamLineSink(sink: file, syncing: file)), nil)
        } catch {
            throw RunError(.input, "cannot open \(alertsPath) for appending: \(error)")
        }
    }
}
