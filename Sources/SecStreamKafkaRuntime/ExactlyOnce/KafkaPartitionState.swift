/// What a consumer group needs to resume one partition exactly: where to
/// start reprocessing to rebuild the open windows, and how far its alerts are
/// written. Stored as one small text record per partition (see `KafkaStateStore`):
/// `resume=1234;archived=1300;alert_time=1763632800000;alert_ids=<32 hex>,<32 hex>;alerts_end=0:17,1:9`.
/// Fields a reader does not know are skipped, and states written before a
/// field existed decode without it.
struct KafkaPartitionState: Equatable {
    /// The offset of the oldest record the open state depends on.
    var resume: Int64
    var mark: AlertMark
    /// How far the archive is written (`CheckpointedArchive`); nil without an archive.
    var archived: Int64?
    /// With a Kafka alerts topic: its end offset per partition right after
    /// the alerts were made durable. The partition's later alerts can only be
    /// at or after these offsets, which is where a new owner reads them back.
    var alertsEnd: [Int32: Int64]?
    /// The replay rule of a restart (`WindowEngine.resumeEventTime`): records
    /// below `replayUntil` (what was consumed at the checkpoint) whose event
    /// time is before `resumeTime` belong to windows that had ended, so the
    /// rebuild skips them. Nil in states written before the field existed.
    var resumeTime: Int64?
    var replayUntil: Int64?
    /// Not stored, not compared: the offset after the last record processed
    /// when the snapshot was taken (the `next` of a `--ready-file` checkpoint line).
    var next: Int64?

    static func == (a: KafkaPartitionState, b: KafkaPartitionState) -> Bool {
        a.resume == b.resume && a.mark == b.mark && a.archived == b.archived && a.alertsEnd == b.alertsEnd
            && a.resumeTime == b.resumeTime && a.replayUntil == b.replayUntil
    }

    func encoded() -> [UInt8] {
        var text = "resume=\(resume)"
        if let archived { text += ";archived=\(archived)" }
        if mark.time != .min {
            text += ";alert_time=\(mark.time);alert_ids=" + mark.ids.sorted().joined(separator: ",")
        }
        if let resumeTime, let replayUntil { text += ";resume_time=\(resumeTime);replay_until=\(replayUntil)" }
        if let alertsEnd {
            text += ";alerts_end=" + alertsEnd.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        }
        return Array(text.utf8)
    }

    init(resume: Int64, mark: AlertMark, archived: Int64? = nil, alertsEnd: [Int32: Int64]? = nil,
         resumeTime: Int64? = nil, replayUntil: Int64? = nil) {
        self.resume = resume
        self.mark = mark
        self.archived = archived
        self.alertsEnd = alertsEnd
        self.resumeTime = resumeTime
        self.replayUntil = replayUntil
    }

    /// Equal but for the alerts-topic offsets. Such a state is not rewritten:
    /// no alert of the partition was written since, so the older offsets
    /// still bound where its later alerts can be.
    func sameProgress(as other: KafkaPartitionState) -> Bool {
        resume == other.resume && mark == other.mark && archived == other.archived
            && resumeTime == other.resumeTime && replayUntil == other.replayUntil
    }

    init?(decoding bytes: ArraySlice<UInt8>) {
        var resume: Int64?
        var archived: Int64?
        var alertsEnd: [Int32: Int64]?
        var resumeTime: Int64?
        var replayUntil: Int64?
        var mark = AlertMark()
        for field in String(decoding: bytes, as: UTF8.self).split(separator: ";") {
            let kv = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2 else { return nil }
            switch kv[0] {
            case "resume": resume = Int64(kv[1])
            case "archived": archived = Int64(kv[1])
            case "resume_time": resumeTime = Int64(kv[1])
            case "replay_until": replayUntil = Int64(kv[1])
            case "alert_time": guard let t = Int64(kv[1]) else { return nil }; mark.time = t
            case "alert_ids": mark.ids = Set(kv[1].split(separator: ",").map(String.init))
            case "alerts_end":
                var ends: [Int32: Int64] = [:]
                for pair in kv[1].split(separator: ",") {
                    let po = pair.split(separator: ":")
                    guard po.count == 2, let p = Int32(po[0]), let o = Int64(po[1]) else { return nil }
                    ends[p] = o
                }
                alertsEnd = ends
            default: continue // a newer writer's field: ignore
            }
        }
        guard let resume else { return nil }
        self.init(resume: resume, mark: mark, archived: archived, alertsEnd: alertsEnd,
                  resumeTime: resumeTime, replayUntil: replayUntil)
    }

    /// The record key: one key per topic partition, so a compacted topic keeps the last.
    static func key(topic: String, partition: Int32) -> [UInt8] { Array("\(topic)/\(partition)".utf8) }
}
