import Glibc

/// Millisecond clocks without Foundation allocations.
enum Clock {
    /// Wall clock, for record timestamps.
    static func wallMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Monotonic clock, for deadlines, linger and backoff.
    static func monoMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Exponential backoff with ±20% jitter so many clients do not retry in lockstep.
    static func backoff(attempt: Int, baseMs: Int, maxMs: Int) -> Int64 {
        let exp = min(Double(maxMs), Double(baseMs) * Double(1 << min(attempt, 16)))
        return Int64(exp * Double.random(in: 0.8...1.2))
    }
}
