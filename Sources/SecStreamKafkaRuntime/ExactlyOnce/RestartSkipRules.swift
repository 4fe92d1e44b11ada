import SecStreamPipeline
/// Per partition, the `RestartSkipRule` of the checkpoint a session resumed from:
/// fed again, a consumed straggler older than the resume time would start a
/// window the uninterrupted run never had. Set when partitions are assigned
/// and read when their records are put in jobs (`ScanJob.restartSkip`), both
/// on the polling thread.
final class RestartSkipRules {
    private var rules: [Int: RestartSkipRule] = [:]

    func set(partition: Int32, time: Int64, until: Int64) {
        rules[Int(partition)] = RestartSkipRule(time: time, until: until)
    }

    func rule(input: Int) -> RestartSkipRule? { rules[input] }
}
