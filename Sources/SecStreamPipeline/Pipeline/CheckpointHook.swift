/// The pipeline's one hook for durability. After every job of a following
/// source (lines or heartbeat) went through the engine and the sinks, the
/// pipeline hands it here on the engine thread, in input order; the hook
/// decides what must survive a crash now.
///
/// - File follow (`FileFollowCheckpoint`): at each heartbeat (caught up with
///   every file), the alerts and dead letters written since are made durable.
/// - Kafka (`KafkaCheckpointHandoff`): each job's offsets feed the resume
///   tracker; every `--commit-interval` a consumer group takes a checkpoint
///   snapshot for the polling thread to commit.
package protocol CheckpointHook: AnyObject {
    func jobConsumed(_ job: ScanJob) throws
}
