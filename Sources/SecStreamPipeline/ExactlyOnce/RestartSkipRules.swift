import Foundation

/// Per partition, the `RestartSkipRule` of the checkpoint a session resumed from:
/// fed again, a consumed straggler older than the resume time would start a
/// window the uninterrupted run never had. Set on the polling thread when
/// partitions are assigned, read on the engine thread once per job.
final class RestartSkipRules {
    private var rules: [Int: RestartSkipRule] = [:]
    private let lock = NSLock()

    func set(partition: Int32, time: Int64, until: Int64) {
        lock.lock(); rules[Int(partition)] = RestartSkipRule(time: time, until: until); lock.unlock()
    }

    func rule(input: Int) -> RestartSkipRule? {
        lock.lock()
        defer { lock.unlock() }
        return rules[input]
    }
}
