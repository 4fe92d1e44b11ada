import CMaskSplice

/// A per-run cache keyed by short byte strings (field paths, values). The
/// standard `[[UInt8]: V]` hashes a key byte by byte through `Hasher`, which
/// cost more than the masking it saved (profiled: 17% of a masked run). This
/// hashes with FNV-1a and keeps a direct-mapped table: a slot per hash's low
/// bits, the stored bytes checked on a hit, a colliding key replacing the old
/// one (a miss costs a recomputation, never a wrong answer).
struct ByteKeyCache<Value> {
    private var hashes: [UInt64]
    private var keys: [[UInt8]]
    private var values: [Value?]
    private let mask: Int

    /// `slots`: a power of two.
    init(slots: Int) {
        precondition(slots > 0 && slots & (slots - 1) == 0)
        hashes = Array(repeating: 0, count: slots)
        keys = Array(repeating: [], count: slots)
        values = Array(repeating: nil, count: slots)
        mask = slots - 1
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h | 1  // 0 marks an empty slot
    }

    @inline(__always)
    func get(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Value? {
        let slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        guard hashes[slot] == hash, keys[slot].count == key.count,
              keys[slot].withUnsafeBytes({ $0.elementsEqual(key) }) else { return nil }
        return values[slot]
    }

    mutating func set(_ key: UnsafeRawBufferPointer, hash: UInt64, _ value: Value) {
        let slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        hashes[slot] = hash
        keys[slot] = Array(key)
        values[slot] = value
    }

    /// A key of `bytes` and one more byte, `tag` (an action's index), without
    /// building it: `secstream_value_hash`, eight bytes a step (a multiply and
    /// a shift-xor each), where FNV-1a's byte-by-byte chain of multiplies was
    /// one per byte. The splice in C hashes values the same way.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer, tag: UInt8) -> UInt64 {
        secstream_value_hash(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, tag)
    }

    @inline(__always)
    func get(_ key: UnsafeRawBufferPointer, tag: UInt8, hash: UInt64) -> Value? {
        let slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        guard hashes[slot] == hash else { return nil }
        let equal = keys[slot].withUnsafeBytes { k in
            k.count == key.count + 1 && k[key.count] == tag && UnsafeRawBufferPointer(rebasing: k[0..<key.count]).elementsEqual(key)
        }
        return equal ? values[slot] : nil
    }

    mutating func set(_ key: UnsafeRawBufferPointer, tag: UInt8, hash: UInt64, _ value: Value) {
        let slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        hashes[slot] = hash
        var stored = Array(key)
        stored.append(tag)
        keys[slot] = stored
        values[slot] = value
    }

    func get(_ key: [UInt8]) -> Value? { key.withUnsafeBytes { get($0, hash: Self.hash($0)) } }
    mutating func set(_ key: [UInt8], _ value: Value) { key.withUnsafeBytes { set($0, hash: Self.hash($0), value) } }
}
