import Foundation

/// Per partition, the replay rule of the checkpoint a session resumed from:
/// records below `until` (consumed before the checkpoint) whose event time is
/// before `time` (`WindowEngine.resumeEventTime` then) belong to windows that
/// had already ended. The rebuild skips them: fed again, such a straggler
/// would start a window the uninterrupted run never had.
/// Set on the polling thread when partitions are assigned, read on the engine thread.
final class KafkaReplayRules {
    private var rules: [Int: (time: Int64, until: Int64)] = [:]
    private let lock = NSLock()

    func set(partition: Int32, time: Int64, until: Int64) {
        lock.lock(); rules[Int(partition)] = (time, until); lock.unlock()
    }

    func skip(input: Int, position: Int64, time: Int64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let rule = rules[input] else { return false }
        return position < rule.until && time < rule.time
    }
}
