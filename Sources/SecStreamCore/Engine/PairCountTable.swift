/// Counts per (group id, value id) pair packed in a `UInt64`: the distinct-value
/// bookkeeping of value_count and temporal windows. Adding or removing one event
/// is O(1) and, once the table has grown to the working set, allocation-free.
/// Open addressing with linear probing and backward-shift deletion.
struct PairCountTable {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var counts: [Int32]
    private var mask: Int
    private(set) var count = 0

    init() {
        keys = [UInt64](repeating: PairCountTable.empty, count: 64)
        counts = [Int32](repeating: 0, count: 64)
        mask = 63
    }

    @inline(__always)
    static func key(_ group: UInt32, _ value: UInt32) -> UInt64 { UInt64(group) << 32 | UInt64(value) }

    @inline(__always)
    private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: fmix64(key)) & mask }

    /// Adds one occurrence and returns the new count (1 = the pair is new).
    mutating func increment(_ key: UInt64) -> Int32 {
        var i = home(key)
        while keys[i] != PairCountTable.empty {
            if keys[i] == key { counts[i] += 1; return counts[i] }
            i = (i + 1) & mask
        }
        keys[i] = key
        counts[i] = 1
        count += 1
        if count * 2 > keys.count { grow() }
        return 1
    }

    /// Adds the pair with count 1 if absent; true when it was new.
    mutating func insert(_ key: UInt64) -> Bool {
        var i = home(key)
        while keys[i] != PairCountTable.empty {
            if keys[i] == key { return false }
            i = (i + 1) & mask
        }
        keys[i] = key
        counts[i] = 1
        count += 1
        if count * 2 > keys.count { grow() }
        return true
    }

    /// Removes one occurrence and returns the new count (0 = the pair is gone).
    mutating func decrement(_ key: UInt64) -> Int32 {
        var i = home(key)
        while keys[i] != key {
            precondition(keys[i] != PairCountTable.empty, "PairCountTable: decrement of an absent pair")
            i = (i + 1) & mask
        }
        counts[i] -= 1
        if counts[i] > 0 { return counts[i] }
        var hole = i
        var j = (i + 1) & mask
        while keys[j] != PairCountTable.empty {
            let h = home(keys[j])
            let between = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !between {
                keys[hole] = keys[j]; counts[hole] = counts[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        keys[hole] = PairCountTable.empty
        counts[hole] = 0
        count -= 1
        return 0
    }

    private mutating func grow() {
        let oldKeys = keys, oldCounts = counts
        let n = keys.count * 2
        keys = [UInt64](repeating: PairCountTable.empty, count: n)
        counts = [Int32](repeating: 0, count: n)
        mask = n - 1
        for (k, c) in zip(oldKeys, oldCounts) where k != PairCountTable.empty {
            var i = home(k)
            while keys[i] != PairCountTable.empty { i = (i + 1) & mask }
            keys[i] = k
            counts[i] = c
        }
    }
}
