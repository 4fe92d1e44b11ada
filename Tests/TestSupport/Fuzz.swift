import Foundation

/// How hard the randomized tests (decoder fuzzing, scanner and engine
/// differentials) push. `make test` runs them at scale 1 in a few seconds;
/// `make fuzz` raises the iteration counts (`SECSTREAM_FUZZ_SCALE`) and moves
/// every seed (`SECSTREAM_FUZZ_SEED`), so a long run explores new inputs and a
/// failure names the seed that reproduces it.
public enum Fuzz {
    public static let scale: Int = max(1, Int(ProcessInfo.processInfo.environment["SECSTREAM_FUZZ_SCALE"] ?? "") ?? 1)
    public static let seedOffset: UInt64 = UInt64(ProcessInfo.processInfo.environment["SECSTREAM_FUZZ_SEED"] ?? "") ?? 0

    /// `n` iterations at scale 1.
    public static func iterations(_ n: Int) -> Int { n * scale }

    /// A test's base seed moved by the run's seed offset (unchanged at offset 0).
    public static func seed(_ base: UInt64) -> UInt64 { seedOffset == 0 ? base : base ^ (seedOffset &* 0x9E37_79B9_7F4A_7C15) }

    /// The seeds of a seeded loop: `range` at scale 1, `scale` times as many beyond it.
    public static func seeds(_ range: ClosedRange<UInt64>) -> [UInt64] {
        (0..<UInt64(range.count * scale)).map { seed(range.lowerBound + $0) }
    }
}
