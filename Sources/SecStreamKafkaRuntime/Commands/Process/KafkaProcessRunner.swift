import SecStreamArchive
import Codecs
import Foundation
import Kafka
import SecStreamCore
import SecStreamPipeline

/// `secstream process --input kafka://HOSTS/TOPIC[?group=ID]`.
///
/// Without a group: every partition (assign mode), from the beginning with
/// `--from-beginning`, else from the end. With a group: the partitions the
/// group assigns, with exactly-once alerts across crashes and rebalances
/// (`KafkaCheckpoint`, `KafkaAlertMarks`). The run ends after `--until-idle`
/// without records, on SIGINT/SIGTERM with `--follow`, or else once every
/// partition is read up to its high watermark. The run is a series of
/// `KafkaSession`s, one per engine: a rebalance ends one and starts the next.
final class KafkaProcessRunner {
    private let options: ProcessOptions
    private let uri: KafkaURI
    private let engineOptions: EngineOptions
    /// `--ready-file`: `assigned`, `checkpoint` and `caught-up` lines.
    private let ready: ReadinessReporter?
    /// `secstream_*` families, one publisher for all the run's sessions.
    private let pipelineMetrics: PipelineMetrics?

    init(options: ProcessOptions, uri: KafkaURI, engineOptions: EngineOptions, ready: ReadinessReporter?,
         metrics: RunMetrics? = nil) {
        self.options = options
        self.uri = uri
        self.engineOptions = engineOptions
        self.ready = ready
        pipelineMetrics = metrics.map { PipelineMetrics(registry: $0.registry, input: "kafka") }
    }

    func run() throws -> Int32 {
        let config = try options.kafka.config(bootstrap: uri.bootstrap)
        let untilIdleMs = options.untilIdle?.milliseconds
        let sessionMs = options.sessionTimeout.milliseconds
        let commitMs = options.commitInterval.milliseconds
        let rules = try RuleSetFactory.load(options)
        let geoip = try GeoIPEnricher.open(options.rules, rules: rules)
        let marks = KafkaAlertMarks(topic: uri.topic)
        let (alerts, alertsTopic) = try openAlerts(marks: marks, rules: rules)
        alerts.gate = uri.group == nil ? nil : { marks.admit($0) }
        alerts.origin = { [topic = uri.topic] alert in
            let p = marks.partition(of: alert)
            return p < 0 ? nil : TopicPartition(topic, p)
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
        // A bounded run (neither --follow nor --until-idle) ends once caught
        // up: its last fetch need not wait at the end for records to come.
        consumerOptions.waitsAtEnd = options.follow || untilIdleMs != nil
        let consumer = KafkaConsumer(config: config, options: consumerOptions)
        let store = try join(consumer, config: config)
        if options.follow { StopSignal.install() }
        defer {
            consumer.onAssigned = nil
            consumer.onRevoked = nil
            consumer.close()
            store?.close()
        }

        let masking = try PipelineMasking(options.masking)
        var run = KafkaRun(options: options, uri: uri, engineOptions: engineOptions, rules: rules, geoip: geoip, sources: sources,
                           consumer: consumer, store: store, marks: marks, alerts: alerts, alertsTopic: alertsTopic,
                           readback: readback, deadLetters: deadLetters, archive: archive, ready: ready,
                           untilIdleMs: untilIdleMs, commitIntervalMs: commitMs)
        run.masking = masking
        var sessions = 0
        var lines = 0
        var replaySkipped = 0
        while true {
            sessions += 1
            let session = KafkaSession(run: run)
            session.pipeline.metrics = pipelineMetrics
            let end = try session.runToEnd()
            lines += session.pipeline.lines
            replaySkipped += session.pipeline.replaySkipped
            if end == .rebalanced { continue }
            if options.summary {
                let withheld = alerts.suppressed > 0 ? ", \(alerts.suppressed) already written before a restart or rebalance" : ""
                let skipped = replaySkipped > 0 ? ", \(replaySkipped) replayed records of ended windows skipped" : ""
                let line = session.pipeline.summaryLine() + " (\(lines) records over \(sessions) session(s)\(withheld)\(skipped))"
                FileHandle.standardError.write(Data((line + "\n").utf8))
                if let archive { ArchiveMessages.say(archive.summaryLine()) }
            }
            return options.failOnAlert && alerts.written > 0 ? exitFindings : 0
        }
    }

    /// With a group: prepares its state topic and subscribes (the group
    /// assigns partitions while polling). Without: assigns every partition.
    private func join(_ consumer: KafkaConsumer, config: KafkaConfig) throws -> KafkaStateStore? {
        do {
            if let group = uri.group {
                let store = KafkaStateStore(group: group, config: config)
                try store.prepare()
                consumer.subscribe(topic: uri.topic, group: group)
                return store
            }
            let admin = KafkaAdmin(config: config)
            defer { admin.close() }
            let count = try admin.partitionCount(topic: uri.topic)
            var all: [TopicPartition: Int64?] = [:]
            for p in 0..<count { all[TopicPartition(uri.topic, Int32(p))] = .some(nil) }
            try consumer.assign(all)
            return nil
        } catch let e as RunError {
            throw e
        } catch {
            throw RunError(.remote, "kafka \(uri.bootstrap) topic \(uri.topic): \(error)")
        }
    }

    /// Alerts go to stdout, a file or a Kafka topic (returned too: the
    /// checkpoints note its end offsets, and new owners read it back). With a
    /// group, a file is appended to (never truncated): what an earlier run of
    /// this instance wrote there becomes the starting alert marks, so a crash
    /// between writing alerts and committing does not write them twice.
    private func openAlerts(marks: KafkaAlertMarks, rules: RuleSet) throws -> (AlertWriter, KafkaRecordSink?) {
        if case .kafka(let alertsURI) = options.alerts {
            let topic = try KafkaRecordSink(uri: alertsURI, flag: "--alerts",
                                            options: options.kafka)
            return (AlertWriter(sink: topic), topic)
        }
        guard uri.group != nil, case .file(let alertsPath) = options.alerts else {
            return (try AlertWriter(outputs: options.outputs, rules: rules, kafka: options.kafka), nil)
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
