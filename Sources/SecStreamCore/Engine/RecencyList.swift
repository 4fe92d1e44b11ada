/// A record threaded on an intrusive recency list: its neighbours are
/// indices into the array holding the records (-1: none), so a list costs 8
/// bytes per record and no allocation of its own. `NewTermsHistory` keeps
/// its groups and each group's terms on such lists, `BaselineHistory` its
/// groups: what expires or is evicted first is at the oldest end.
protocol RecencyLinked {
    var older: Int32 { get set }
    var newer: Int32 { get set }
}

/// The two ends of one intrusive recency list, least recently used first.
struct RecencyList: Equatable {
    private(set) var oldest: Int32 = -1
    private(set) var newest: Int32 = -1

    var isEmpty: Bool { oldest < 0 }

    /// Takes record `i` out of the list.
    mutating func remove<R: RecencyLinked>(_ i: Int32, from records: inout [R]) {
        let r = records[Int(i)]
        if r.older >= 0 { records[Int(r.older)].newer = r.newer } else { oldest = r.newer }
        if r.newer >= 0 { records[Int(r.newer)].older = r.older } else { newest = r.older }
        records[Int(i)].older = -1
        records[Int(i)].newer = -1
    }

    /// Puts record `i`, not on the list, at its newest end.
    mutating func append<R: RecencyLinked>(_ i: Int32, to records: inout [R]) {
        records[Int(i)].older = newest
        records[Int(i)].newer = -1
        if newest >= 0 { records[Int(newest)].newer = i } else { oldest = i }
        newest = i
    }

    /// Moves record `i`, on the list, to its newest end.
    mutating func touch<R: RecencyLinked>(_ i: Int32, in records: inout [R]) {
        remove(i, from: &records)
        append(i, to: &records)
    }
}
