/// What a restart's rebuild skips on one input: events at positions below
/// `until` (consumed before the checkpoint) with event times before `time`
/// (the checkpoint's resume time) belong to windows that had already ended.
package struct RestartSkipRule: Equatable {
    let time: Int64
    let until: Int64

    package init(time: Int64, until: Int64) {
        self.time = time
        self.until = until
    }

    @inline(__always)
    func skips(position: Int64, time t: Int64) -> Bool { position < until && t < time }
}
