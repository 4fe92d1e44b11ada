import Foundation
import SecStreamCore

/// How far a partition's alerts are known to be written: every alert of the
/// partition that fires before `time`, and those at exactly `time` whose ids
/// are listed. Alerts leave the engine in non-decreasing firing time, so this
/// is exact even when several alerts share the last millisecond.
struct AlertMark: Equatable {
    var time: Int64 = .min
    var ids: Set<String> = []

    func covers(time t: Int64, id: String) -> Bool { t < time || (t == time && ids.contains(id)) }

    mutating func merge(_ other: AlertMark) {
        if other.time > time { self = other } else if other.time == time { ids.formUnion(other.ids) }
    }

    mutating func record(time t: Int64, id: String) {
        if t > time { time = t; ids = [id] } else if t == time { ids.insert(id) }
    }
}

/// The per-partition alert marks of a Kafka run. An alert belongs to the
/// partition of its first sample event (with keyed topics, the partition of
/// its whole group). On a restart or a rebalance the engine rebuilds windows
/// by reprocessing from the resume offsets; this gate withholds the alerts
/// that were already written, and advances the marks as new ones go out.
final class KafkaAlertMarks {
    let topic: String
    private(set) var marks: [Int32: AlertMark] = [:]
    /// Every alert id this instance wrote (and those in its alerts file): a
    /// deterministic id seen again is the same alert rebuilt from reprocessed
    /// records (e.g. a tumbling window re-filled after its early firing), not a new one.
    private var written: Set<String> = []
    /// Per partition: alerts read back from a Kafka alerts topic that the
    /// rebuilt windows have not fired again yet, and the alerts-topic offsets
    /// they were read from. Until they fire again (and the mark moves past
    /// them), the partition's checkpoints keep those offsets: its mark does not
    /// cover these alerts, so a later owner must find them in the topic too.
    private var pendingReadBack: [Int32: (from: [Int32: Int64], ids: Set<String>)] = [:]
    private let lock = NSLock()

    init(topic: String) { self.topic = topic }

    func partition(of alert: Alert) -> Int32 {
        for sample in alert.samples {
            if case .partition(let t, let p, _) = sample, t == topic { return p }
        }
        return -1
    }

    /// The engine's alert gate: true = write it (and remember it), false = already written.
    func admit(_ alert: Alert) -> Bool {
        let p = partition(of: alert)
        let id = alert.id.description
        lock.lock()
        defer { lock.unlock() }
        if var pending = pendingReadBack[p], pending.ids.remove(id) != nil {
            pendingReadBack[p] = pending.ids.isEmpty ? nil : pending
        }
        if marks[p]?.covers(time: alert.detectedAt, id: id) == true { return false }
        // Written or already known to be written (by this instance before a
        // rebuild, or read back from the alerts topic): either way the mark
        // moves past it, so the next checkpoint covers it.
        marks[p, default: AlertMark()].record(time: alert.detectedAt, id: id)
        return written.insert(id).inserted
    }

    /// An alert known to be in the alerts output already (read back from a
    /// Kafka alerts topic). Only its id is remembered, not its time: records
    /// in different topic partitions are acknowledged independently, so what
    /// a crashed writer left there need not be every alert up to the newest
    /// one, and a time mark would wrongly cover the missing ones.
    /// `from` is where the partition's checkpoint said to read the topic from.
    func noteReadBack(id: String, time: Int64, partition: Int32, from: [Int32: Int64]) {
        lock.lock()
        defer { lock.unlock() }
        written.insert(id)
        if marks[partition]?.covers(time: time, id: id) == true { return }
        pendingReadBack[partition, default: (from, [])].ids.insert(id)
    }

    /// The alerts-topic offsets a checkpoint of `partition` records: the
    /// current ends, unless alerts read back for it are still uncovered.
    func alertsEnd(partition: Int32, current: [Int32: Int64]?) -> [Int32: Int64]? {
        lock.lock()
        defer { lock.unlock() }
        return pendingReadBack[partition]?.from ?? current
    }

    func merge(_ mark: AlertMark, partition: Int32) {
        lock.lock()
        marks[partition, default: AlertMark()].merge(mark)
        lock.unlock()
    }

    func mark(_ partition: Int32) -> AlertMark {
        lock.lock()
        defer { lock.unlock() }
        return marks[partition] ?? AlertMark()
    }

    /// Reads what an earlier run of this instance already wrote to the alerts
    /// file (the alerts written after its last commit are only there), and
    /// cuts a last line that a crash left half written. Start-up only, so
    /// Foundation JSON is fine here.
    func loadAlertsFile(_ path: String) throws {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return }
        var complete = data.count
        if data.last != 0x0a {
            complete = (data.lastIndex(of: 0x0a).map { $0 + 1 }) ?? 0
            guard truncate(path, off_t(complete)) == 0 else {
                throw RunError(.input, "\(path): cannot cut the half-written last alert: \(String(cString: strerror(errno)))")
            }
        }
        var lineNumber = 0
        for line in data.prefix(complete).split(separator: 0x0a) {
            lineNumber += 1
            guard let alert = parseWritten(line) else {
                throw RunError(.input, "\(path):\(lineNumber): not an alert written by secstream; choose another --alerts file")
            }
            // A file is written in order, so its alerts are a prefix in time: a mark is exact.
            marks[alert.partition, default: AlertMark()].record(time: alert.time, id: alert.id)
            written.insert(alert.id)
        }
    }

    /// The id, firing time and partition (-1 when not from this topic) of
    /// one alert line as secstream writes it; nil when it is not one.
    /// Start-up and rebalance only, so Foundation JSON is fine here.
    func parseWritten<Bytes: Collection>(_ line: Bytes) -> (id: String, time: Int64, partition: Int32)? where Bytes.Element == UInt8 {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
              let id = object["alert_id"] as? String, let detected = object["detected_at"] as? String,
              let time = EventTime.parse(detected) else { return nil }
        var p: Int32 = -1
        for sample in (object["samples"] as? [[String: Any]]) ?? [] {
            if (sample["topic"] as? String) == topic, let n = sample["partition"] as? Int { p = Int32(n); break }
        }
        return (id, time, p)
    }
}
