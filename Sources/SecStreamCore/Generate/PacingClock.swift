import Foundation

/// Time source for `--rate` pacing, injectable so tests never sleep.
public protocol PacingClock {
    /// Monotonic nanoseconds.
    func nowNanos() -> UInt64
    func sleep(nanos: UInt64)
}

/// The real monotonic clock.
public struct SystemPacingClock: PacingClock {
    public init() {}

    public func nowNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public func sleep(nanos: UInt64) {
        var request = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
