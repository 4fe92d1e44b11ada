/// What a Kafka run needs from an archive writer (`process --archive` with a
/// consumer group) so that a crash or a rebalance neither loses nor doubles
/// archived events. The archive sink adopts it; `KafkaCheckpoint` calls it.
///
/// - Before each checkpoint, `makeDurable()` uploads what was appended so far
///   (the checkpoint's offsets must not get ahead of the archive).
/// - The checkpoint stores `archivedThrough(partition:)` next to the resume
///   offset (`archived=` in the state record).
/// - On (re)assignment, `resume(partition:archivedThrough:)` tells the writer
///   which records are archived already: reprocessed records below that offset
///   feed the windows but must not be archived again, and objects of the
///   partition starting at or past it are orphans of a crash to delete.
protocol CheckpointedArchive: AnyObject {
    func makeDurable() throws
    /// The offset after the last durably archived record of `partition` (nil: none yet).
    func archivedThrough(partition: Int32) -> Int64?
    func resume(partition: Int32, archivedThrough offset: Int64?) throws
}
