/// Chooses partitions the way the Java client (and librdkafka's
/// `murmur2_random`) does: murmur2 of the key bytes, made positive, modulo
/// the partition count. Null keys stick to one partition per batch.
public enum Partitioner {
    /// Java's `org.apache.kafka.common.utils.Utils.murmur2` (seed 0x9747b28c).
    public static func murmur2(_ data: [UInt8]) -> Int32 {
        data.withUnsafeBytes { murmur2($0) }
    }

    public static func murmur2(_ data: UnsafeRawBufferPointer) -> Int32 {
        let length = data.count
        let seed: UInt32 = 0x9747_B28C
        let m: UInt32 = 0x5BD1_E995
        let r: UInt32 = 24
        var h: UInt32 = seed ^ UInt32(truncatingIfNeeded: length)
        let length4 = length / 4
        for i in 0..<length4 {
            let i4 = i * 4
            var k = UInt32(data[i4]) | UInt32(data[i4 + 1]) << 8 | UInt32(data[i4 + 2]) << 16 | UInt32(data[i4 + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = length & ~3
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default: break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// Java's `Utils.toPositive`: clears the sign bit (not abs()).
    @inline(__always) public static func toPositive(_ v: Int32) -> Int32 { v & 0x7FFF_FFFF }

    public static func partition(forKey key: [UInt8], partitions: Int) -> Int32 {
        toPositive(murmur2(key)) % Int32(partitions)
    }

    public static func partition(forKey key: UnsafeRawBufferPointer, partitions: Int) -> Int32 {
        toPositive(murmur2(key)) % Int32(partitions)
    }
}
