import Kafka
import SecStreamCore
import SecStreamPipeline

/// One session of a Kafka `process` run: one engine (`EventPipeline`) over
/// the partitions the consumer holds, from their resume offsets until the
/// session ends (`KafkaLineSource.End`). A rebalance after the first record
/// ends it with a checkpoint; the runner then starts the next session, which
/// rebuilds the windows from the new assignment's checkpoints.
final class KafkaSession {
    private let run: KafkaRun
    let pipeline: EventPipeline

    init(run: KafkaRun) {
        self.run = run
        pipeline = EventPipeline(rules: run.rules, engineOptions: run.engineOptions, sources: run.sources,
                                 alerts: run.alerts, deadLetters: run.deadLetters, archive: run.archive,
                                 threads: run.options.threads, geoip: run.geoip)
        pipeline.masking = run.masking
    }

    /// Runs the session to its end. At idle or on a stop it ends the run too:
    /// it closes the outputs (and, at idle or without a group, the windows).
    func runToEnd() throws -> KafkaLineSource.End? {
        let checkpoint = run.store.map { store in
            KafkaCheckpoint(topic: run.uri.topic, marks: run.marks, store: store, ready: run.ready,
                            makeAlertsDurable: { [run] in
                                try run.alerts.makeDurable()
                                // Dead letters of records before the committed offsets are never written again.
                                try run.deadLetters.makeDurable()
                                return try run.alertsTopic?.endOffsets()
                            })
        }
        checkpoint?.archive = run.archive
        // Each session's engine starts from the learned state the last
        // checkpoint (of this or an earlier session or run) saved.
        if let path = run.options.rules.baseline {
            try LearnedStateFile.load(path, into: pipeline.engine, flag: "--baseline", quiet: !run.options.summary)
            checkpoint?.learnedStatePath = path
        }
        let restartSkips = RestartSkipRules()
        let assignments = KafkaAssignmentHandler(run: run, checkpoint: checkpoint, restartSkips: restartSkips)
        let assigned = run.consumer.assignment
        try assignments.take(assigned)
        let handoff = KafkaCheckpointHandoff(checkpoint: checkpoint, engine: pipeline.engine,
                                             commitIntervalMs: run.commitIntervalMs)
        let source = KafkaLineSource(
            consumer: run.consumer, topic: run.uri.topic, sources: run.sources, assigned: assigned, handoff: handoff,
            restartSkips: run.uri.group == nil ? nil : restartSkips, untilIdleMs: run.untilIdleMs,
            stopWhenCaughtUp: run.untilIdleMs == nil && !run.options.follow, takeAssignment: assignments.take,
            reportsCaughtUp: run.ready != nil, shouldStop: { StopSignal.isRaised })
        do { try pipeline.run(source, checkpoint: handoff, ready: run.ready) } catch {
            source.abort()
            throw error
        }
        switch source.end {
        case .rebalanced?:
            break
        case .stopped? where run.uri.group != nil:
            // Windows stay open: the checkpoint hands them to the next owner, which rebuilds them.
            try handoff.finalCheckpoint(consumer: run.consumer)
            try run.alerts.close()
            try run.deadLetters.close()
            try run.archive?.close()
        default:
            try pipeline.engine.finish()
            try handoff.finalCheckpoint(consumer: run.consumer)
            try pipeline.finish()
            // Without a group there are no checkpoints: saved at the end, as a file run is.
            if checkpoint == nil, let path = run.options.rules.baseline {
                try LearnedStateFile.save(pipeline.engine, to: path, flag: "--baseline")
            }
        }
        return source.end
    }
}
