import Dispatch

/// Milliseconds on the monotonic clock (idle timers, checkpoint interval).
package func monotonicMs() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
