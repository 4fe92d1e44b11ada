/// Hashes that must never change between runs, builds or machines (alert ids,
/// interning): Swift's `Hasher` is randomly seeded per process, so it cannot be used.
///
/// `StableHash128` runs two independent 64-bit lanes over the same bytes (FNV-1a
/// with its standard basis and prime, and a second multiply-xor lane with other
/// constants) and finishes each with murmur3's fmix64, so a collision needs both
/// 64-bit lanes to collide at once.
public struct StableHash128 {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x9e37_79b9_7f4a_7c15

    public init() {}

    @inline(__always)
    public mutating func add(byte: UInt8) {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        b = (b ^ UInt64(byte)) &* 0xff51_afd7_ed55_8ccd
        b ^= b >> 29
    }

    public mutating func add(bytes: UnsafeRawBufferPointer) {
        for byte in bytes { add(byte: byte) }
    }

    /// Adds a length prefix first, so consecutive fields cannot run into each other.
    public mutating func add(field bytes: UnsafeRawBufferPointer) {
        add(int: Int64(bytes.count))
        add(bytes: bytes)
    }

    public mutating func add(string: String) {
        var s = string
        s.withUTF8 { add(field: UnsafeRawBufferPointer($0)) }
    }

    public mutating func add(int: Int64) {
        var v = UInt64(bitPattern: int)
        for _ in 0..<8 { add(byte: UInt8(truncatingIfNeeded: v)); v >>= 8 }
    }

    public func finish() -> (UInt64, UInt64) { (fmix64(a), fmix64(b ^ 0x1234_5678_9abc_def1)) }
}

/// murmur3's 64-bit finaliser: spreads every input bit over the whole word.
@inline(__always)
func fmix64(_ x: UInt64) -> UInt64 {
    var k = x
    k ^= k >> 33
    k = k &* 0xff51_afd7_ed55_8ccd
    k ^= k >> 33
    k = k &* 0xc4ce_b9fe_1a85_ec53
    k ^= k >> 33
    return k
}

/// 64-bit FNV-1a of a byte range, finished with fmix64 (for hash tables).
@inline(__always)
func stableHash64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    return fmix64(h)
}
