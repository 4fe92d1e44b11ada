/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64 as its authors
/// recommend. The generator owns its randomness so that the same seed gives
/// the same bytes on every platform and Swift version (the standard library's
/// generators promise neither).
public struct Xoshiro256: RandomNumberGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        s0 = Xoshiro256.splitMix64(&sm)
        s1 = Xoshiro256.splitMix64(&sm)
        s2 = Xoshiro256.splitMix64(&sm)
        s3 = Xoshiro256.splitMix64(&sm)
    }

    /// SplitMix64 step: also used on its own as a stateless hash of an index
    /// (stable per-entity attributes without storing them).
    @inline(__always)
    public static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A well-mixed hash of `x` (one SplitMix64 step from state `x`).
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var s = x
        return splitMix64(&s)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in `0..<n` (Lemire's multiply-shift; the tiny bias for huge `n`
    /// is irrelevant here and the result is deterministic).
    @inline(__always)
    public mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform in `lo...hi`.
    @inline(__always)
    public mutating func inRange(_ lo: Int, _ hi: Int) -> Int { lo + below(hi - lo + 1) }

    /// Uniform in `[0, 1)` with 53 bits.
    @inline(__always)
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    @inline(__always)
    public mutating func chance(_ p: Double) -> Bool { unit() < p }
}
