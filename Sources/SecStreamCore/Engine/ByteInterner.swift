import Foundation

/// Maps byte strings (group keys, distinct values) to small reference-counted
/// integer ids, so window state is indexed by `UInt32` instead of keyed by
/// `String` or `[UInt8]`.
///
/// Interning runs once per match record on the engine thread, so lookups hash
/// and compare 8 bytes at a time (no byte loop, no `memcmp` call). The first
/// 8 key bytes as a big-endian word (`orderPrefix`) are computed when asked,
/// not kept per id: their one user, the timer queue, reads them once per
/// timer when it sorts a due tumbling batch.
///
/// The bytes live in one arena, the table is open addressing with linear
/// probing over the ids, and deletion shifts entries back instead of leaving
/// tombstones. An id is freed (and later reused) when its last reference is
/// released; the arena is compacted when more than half of it is dead. So the
/// memory follows the live keys, and interning a known key allocates nothing.
final class ByteInterner {
    private var arena: UnsafeMutableRawPointer
    private var arenaCapacity: Int
    private var arenaUsed = 0
    private var deadBytes = 0

    // Per id (struct of plain buffers: written on every acquire and release).
    private let offsets = PlainBuffer<Int>()
    private let lengths = PlainBuffer<Int32>()
    /// The low 32 bits of the key's hash: a table of up to 2^32 slots needs no
    /// more to find its home, and a 64-bit copy per key would cost 4 bytes more.
    private let hashes = PlainBuffer<UInt32>()
    private let refs = PlainBuffer<Int32>()
    private let freeIds = PlainBuffer<UInt32>()

    /// Slot -> id + 1 (0 = empty). Power-of-two size, at most half full.
    private var slots: PlainBuffer<UInt32>
    private var mask: Int
    private(set) var liveCount = 0
    /// How many times the arena was compacted (observable for tests).
    private(set) var compactions = 0

    init(initialSlots: Int = 64) {
        arenaCapacity = 4096
        arena = TableMemory.allocate(byteCount: arenaCapacity, alignment: 8)
        var n = 16
        while n < initialSlots { n <<= 1 }
        slots = PlainBuffer(repeating: 0, count: n)
        mask = n - 1
    }

    deinit {
        TableMemory.deallocate(arena, byteCount: arenaCapacity)
    }

    /// Bytes the live ids take: their keys and per-id tables (the tables'
    /// capacity stays at its high-water mark; freed ids are reused first).
    /// Per id: offset 8, length 4, hash 4, references 4, and 4-byte table
    /// slots at most half full (8 to 16 bytes; 12 on average).
    var liveBytes: Int { liveCount &* 32 &+ (arenaUsed &- deadBytes) }

    /// One more than the largest id handed out: arrays indexed by id use it.
    var idCapacity: Int { refs.count }

    /// Interns `bytes` and takes one reference to its id.
    func acquire(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let h = UInt32(truncatingIfNeeded: ByteInterner.hash(bytes))
        var i = Int(h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            let id = Int(s - 1)
            if hashes[id] == h && Int(lengths[id]) == bytes.count
                && (bytes.count == 0 || ByteInterner.equal(arena + offsets[id], bytes.baseAddress!, bytes.count)) {
                refs[id] += 1
                return UInt32(id)
            }
            i = (i + 1) & mask
        }
        let id = insertNew(bytes, hash: h)
        slots[i] = id + 1
        liveCount += 1
        if liveCount * 2 > slots.count { grow() }
        return id
    }

    @inline(__always)
    func retain(_ id: UInt32) { refs[Int(id)] += 1 }

    /// Drops one reference; the id is freed when none are left.
    func release(_ id: UInt32) {
        let i = Int(id)
        refs[i] -= 1
        if refs[i] > 0 { return }
        removeFromTable(id)
        deadBytes += Int(lengths[i])
        lengths[i] = 0
        freeIds.append(id)
        liveCount -= 1
        if deadBytes > 65536 && deadBytes * 2 > arenaUsed { compact() }
    }

    /// The bytes of a live id; valid until the next `acquire` or `release`.
    @inline(__always)
    func bytes(_ id: UInt32) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: arena + offsets[Int(id)], count: Int(lengths[Int(id)]))
    }

    /// The key's first 8 bytes as a zero-padded big-endian word, for callers
    /// that sort many ids (a due tumbling batch of timers). Integer order is byte
    /// order wherever they differ: zero padding compares below any real byte
    /// except 0, and where a real 0 meets padding the prefixes tie and
    /// `compare` decides.
    @inline(__always)
    func orderPrefix(_ id: UInt32) -> UInt64 { ByteInterner.bigEndianWord(bytes(id), at: 0) }

    /// Lexicographic byte order, shorter first on a common prefix. (A batch
    /// sort compares `orderPrefix` first and calls this only on a tie.)
    func compare(_ x: UInt32, _ y: UInt32) -> Int {
        if x == y { return 0 }
        let a = bytes(x), b = bytes(y)
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, n)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }

    private func insertNew(_ bytes: UnsafeRawBufferPointer, hash: UInt32) -> UInt32 {
        if arenaUsed + bytes.count > arenaCapacity {
            var cap = arenaCapacity * 2
            while arenaUsed + bytes.count > cap { cap *= 2 }
            let fresh = TableMemory.allocate(byteCount: cap, alignment: 8)
            fresh.copyMemory(from: arena, byteCount: arenaUsed)
            TableMemory.deallocate(arena, byteCount: arenaCapacity)
            arena = fresh
            arenaCapacity = cap
        }
        if bytes.count > 0 { (arena + arenaUsed).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        let id: UInt32
        if let reused = freeIds.popLast() {
            id = reused
            let i = Int(id)
            offsets[i] = arenaUsed; lengths[i] = Int32(bytes.count); hashes[i] = hash; refs[i] = 1
        } else {
            id = UInt32(refs.count)
            offsets.append(arenaUsed); lengths.append(Int32(bytes.count)); hashes.append(hash); refs.append(1)
        }
        arenaUsed += bytes.count
        return id
    }

    private func removeFromTable(_ id: UInt32) {
        var i = Int(hashes[Int(id)]) & mask
        while slots[i] != id + 1 { i = (i + 1) & mask }
        // Backward-shift deletion: pull later entries of the probe run into the hole
        // unless their home slot lies cyclically after the hole.
        var hole = i
        var j = (i + 1) & mask
        while slots[j] != 0 {
            let home = Int(hashes[Int(slots[j] - 1)]) & mask
            let between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !between {
                slots[hole] = slots[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        slots[hole] = 0
    }

    private func grow() {
        let n = slots.count * 2
        let fresh = PlainBuffer<UInt32>(repeating: 0, count: n)
        let m = n - 1
        for k in 0..<slots.count where slots[k] != 0 {
            let s = slots[k]
            var i = Int(hashes[Int(s - 1)]) & m
            while fresh[i] != 0 { i = (i + 1) & m }
            fresh[i] = s
        }
        slots = fresh
        mask = m
    }

    private func compact() {
        let fresh = TableMemory.allocate(byteCount: arenaCapacity, alignment: 8)
        var used = 0
        for i in 0..<refs.count where refs[i] > 0 {
            let n = Int(lengths[i])
            if n > 0 { (fresh + used).copyMemory(from: arena + offsets[i], byteCount: n) }
            offsets[i] = used
            used += n
        }
        TableMemory.deallocate(arena, byteCount: arenaCapacity)
        arena = fresh
        arenaUsed = used
        deadBytes = 0
        compactions += 1
    }

    // MARK: Word-at-a-time helpers

    /// The 8 bytes at `at` (zero-padded past the end) as a big-endian word.
    @inline(__always)
    static func bigEndianWord(_ bytes: UnsafeRawBufferPointer, at: Int) -> UInt64 {
        var w: UInt64 = 0
        var k = at
        while k < at + 8 {
            w <<= 8
            if k < bytes.count { w |= UInt64(bytes[k]) }
            k += 1
        }
        return w
    }

    /// The table hash: 8 bytes per step; the tail is one more (overlapping)
    /// load, not a byte loop. Internal to the table (ids and order never depend
    /// on it), so it need not match `stableHash64`.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var h: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ UInt64(truncatingIfNeeded: n)
        guard let p = bytes.baseAddress, n > 0 else { return fmix64(h) }
        if n >= 8 {
            var i = 0
            while i + 8 <= n {
                h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
                h ^= h >> 32
                i += 8
            }
            if i < n { h = (h ^ p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) &* 0xc4ce_b9fe_1a85_ec53 }
        } else {
            h = (h ^ ByteInterner.shortWord(p, n)) &* 0xc4ce_b9fe_1a85_ec53
        }
        return fmix64(h)
    }

    /// 1 to 7 bytes as a word, from at most two (overlapping) loads.
    @inline(__always)
    static func shortWord(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        if n >= 4 {
            return UInt64(p.loadUnaligned(as: UInt32.self)) << 32
                | UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
        }
        return UInt64(p.load(as: UInt8.self)) << 16 | UInt64(p.load(fromByteOffset: n >> 1, as: UInt8.self)) << 8
            | UInt64(p.load(fromByteOffset: n - 1, as: UInt8.self))
    }

    /// Byte equality of two `n`-byte ranges, a word at a time (the tail as one overlapping word).
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        if n < 8 { return n == 0 || shortWord(a, n) == shortWord(b, n) }
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        return i == n || a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }
}
