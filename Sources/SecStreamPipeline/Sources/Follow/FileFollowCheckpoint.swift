/// The checkpoint hook of `process --follow` / `--until-idle` on files: at
/// each heartbeat, when the source has caught up with every file, what was
/// found so far reaches its destination now, not when a buffer fills or the
/// run ends (so the `caught-up` readiness line that follows is true of the
/// alerts and dead letters too).
final class FileFollowCheckpoint: CheckpointHook {
    private let alerts: AlertWriter
    private let deadLetters: DeadLetterWriter
    /// Alerts and dead letters written by the last flush.
    private var flushedAlerts = 0
    private var flushedDeadLetters = 0

    init(alerts: AlertWriter, deadLetters: DeadLetterWriter) {
        self.alerts = alerts
        self.deadLetters = deadLetters
    }

    func jobConsumed(_ job: ScanJob) throws {
        guard job.heartbeat != nil else { return }
        if alerts.written != flushedAlerts {
            flushedAlerts = alerts.written
            try alerts.makeDurable()
        }
        let written = deadLetters.malformed + deadLetters.late + deadLetters.future
        if written != flushedDeadLetters {
            flushedDeadLetters = written
            try deadLetters.makeDurable()
        }
    }
}
