/// What a consumer group needs to resume one partition exactly: where to
/// start reprocessing to rebuild the open windows, and how far its alerts are
/// written. Stored as one small text record per partition (see `KafkaStateStore`):
/// `resume=1234;archived=1300;alert_time=1763632800000;alert_ids=<32 hex>,<32 hex>`.
struct KafkaPartitionState: Equatable {
    /// The offset of the oldest record the open state depends on.
    var resume: Int64
    var mark: AlertMark
    /// How far the archive is written (`KafkaArchiveProgress`); nil without an archive.
    var archived: Int64?

    func encoded() -> [UInt8] {
        var text = "resume=\(resume)"
        if let archived { text += ";archived=\(archived)" }
        if mark.time != .min {
            text += ";alert_time=\(mark.time);alert_ids=" + mark.ids.sorted().joined(separator: ",")
        }
        return Array(text.utf8)
    }

    init(resume: Int64, mark: AlertMark, archived: Int64? = nil) {
        self.resume = resume
        self.mark = mark
        self.archived = archived
    }

    init?(decoding bytes: ArraySlice<UInt8>) {
        var resume: Int64?
        var archived: Int64?
        var mark = AlertMark()
        for field in String(decoding: bytes, as: UTF8.self).split(separator: ";") {
            let kv = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2 else { return nil }
            switch kv[0] {
            case "resume": resume = Int64(kv[1])
            case "archived": archived = Int64(kv[1])
            case "alert_time": guard let t = Int64(kv[1]) else { return nil }; mark.time = t
            case "alert_ids": mark.ids = Set(kv[1].split(separator: ",").map(String.init))
            default: continue // a newer writer's field: ignore
            }
        }
        guard let resume else { return nil }
        self.resume = resume
        self.mark = mark
        self.archived = archived
    }

    /// The record key: one key per topic partition, so a compacted topic keeps the last.
    static func key(topic: String, partition: Int32) -> [UInt8] { Array("\(topic)/\(partition)".utf8) }
}
