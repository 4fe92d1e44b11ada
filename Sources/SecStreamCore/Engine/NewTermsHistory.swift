/// What one new_terms correlation has learned (docs/windows.md, "New terms"):
/// per group (the `group-by` values), the terms (the `fields` values, as a
/// tuple) seen within `history`, each with the event time it was last seen.
///
/// Groups and terms are known by 64-bit stable hashes of their key bytes
/// (`GroupKey` segments, length-prefixed, so tuples cannot run into each
/// other): the history keeps no value bytes. Two terms of one group whose
/// hashes collide are one term (the second is taken as known and never
/// alerts); two colliding groups share one history. Among a million terms
/// the odds of any collision are about 3 in 10^8.
///
/// A group the history does not know (never seen, expired or evicted) has,
/// with `new_groups: learn`, its own warm-up from its first event; with
/// `alert` (the default) only the rule's warm-up applies.
///
/// Memory is bounded twice:
/// - per group, at most `maxTermsPerGroup` terms: a new term past it makes
///   the group forget its least recently seen term (`evictedTerms`), which
///   is new again if it comes back;
/// - overall, by the engine's `--max-state`: `evict(downTo:)` drops whole
///   groups, least recently seen first (`evictedGroups`); their next term is
///   new again (the rule's warm-up is long over).
/// Expired state is freed as time passes: a group not seen within `history`
/// has nothing left to know, and a group's expired terms go when it is next
/// seen. So memory follows the groups and terms active within `history`.
///
/// Recency is kept in linked lists (groups; each group's terms), touched in
/// processing order, which is event-time order (with `--lateness 0`, arrival
/// order); the hash tables are only looked up, never walked, so what is
/// forgotten, and thus every verdict, is a function of the events alone.
final class NewTermsHistory {
    /// What an event's term is to its group.
    enum Verdict: Equatable {
        /// The rule is in its warm-up: the term was recorded, nothing fires.
        case learning
        /// Seen for this group within `history` before (at most `history` ago).
        case known
        /// Not seen for this group within `history`: the correlation counts the event.
        case new
    }

    let spec: NewTermsSpec
    /// The event time of the first event the rule saw: the warm-up is
    /// `[firstTime, firstTime + warmup)`. Nil before any.
    private(set) var firstTime: Int64?
    /// Terms forgotten because their group held `maxTermsPerGroup`.
    private(set) var evictedTerms = 0
    /// Groups forgotten to stay under `--max-state`.
    private(set) var evictedGroups = 0
    private(set) var liveTerms = 0
    var liveGroups: Int { groupIndex.count }

    private struct Group: RecencyLinked {
        var hash: UInt64
        /// When the history last started to know the group (its own warm-up
        /// with `new_groups: learn`).
        var firstSeen: Int64
        var lastSeen: Int64
        /// The group's terms, least recently seen first.
        var terms: RecencyList
        var termCount: Int32
        /// Neighbours in the recency list of groups.
        var older: Int32
        var newer: Int32
    }

    private struct Term: RecencyLinked {
        var hash: UInt64
        var lastSeen: Int64
        var group: Int32
        var older: Int32
        var newer: Int32
    }

    private struct TermKey: Hashable {
        var group: Int32
        var hash: UInt64
    }

    private var groupIndex: [UInt64: Int32] = [:]
    private var termIndex: [TermKey: Int32] = [:]
    private var groups: [Group] = []
    private var terms: [Term] = []
    private var freeGroups: [Int32] = []
    private var freeTerms: [Int32] = []
    /// Groups, least recently seen first.
    private var recency = RecencyList()

    init(spec: NewTermsSpec) { self.spec = spec }

    /// Estimated bytes per remembered group and term (84 and 92): the
    /// record, plus its hash-table slot (key and value) counted three times,
    /// as a Swift dictionary keeps 1.3 to 2.7 slots per entry and the record
    /// arrays grow by doubling too. Measured (docs/windows.md): 87 bytes per
    /// further term, about 200 per one-term group just after the tables doubled.
    static let bytesPerGroup = MemoryLayout<Group>.stride + 3 * (MemoryLayout<UInt64>.stride + MemoryLayout<Int32>.stride)
    static let bytesPerTerm = MemoryLayout<Term>.stride + 3 * (MemoryLayout<TermKey>.stride + MemoryLayout<Int32>.stride)

    var estimatedBytes: Int { liveGroups &* Self.bytesPerGroup &+ liveTerms &* Self.bytesPerTerm }

    /// Records that `key` (the correlation's key: the group's segments, then
    /// the term's) was seen at `t`, and says what the term was before.
    func observe(key: UnsafeRawBufferPointer, time t: Int64) -> Verdict {
        let start = firstTime ?? t
        if firstTime == nil { firstTime = t }
        let ruleLearning = Self.elapsed(from: start, to: t) < spec.warmupMs
        forgetExpiredGroups(at: t)
        let split = Self.groupLength(key, segments: spec.groupFieldCount)
        let groupHash = stableHash64(UnsafeRawBufferPointer(rebasing: key[0..<split]))
        let termHash = stableHash64(UnsafeRawBufferPointer(rebasing: key[split...]))
        let g = touchGroup(groupHash, t)
        forgetExpiredTerms(of: g, at: t)
        let groupLearning = spec.newGroups == .learn && Self.elapsed(from: groups[Int(g)].firstSeen, to: t) < spec.warmupMs
        let learning = ruleLearning || groupLearning
        if let e = termIndex[TermKey(group: g, hash: termHash)] {
            let known = !expired(lastSeen: terms[Int(e)].lastSeen, at: t)
            touchTerm(e, t)
            return learning ? .learning : known ? .known : .new
        }
        if groups[Int(g)].termCount >= Int32(spec.maxTermsPerGroup) {
            removeTerm(groups[Int(g)].terms.oldest)
            evictedTerms += 1
        }
        addTerm(termHash, group: g, t)
        return learning ? .learning : .new
    }

    /// Forgets the least recently seen groups until the estimate is at most
    /// `bytes`. Returns how many went.
    @discardableResult
    func evict(downTo bytes: Int) -> Int {
        var n = 0
        while estimatedBytes > bytes && recency.oldest >= 0 {
            removeGroup(recency.oldest)
            n += 1
        }
        evictedGroups += n
        return n
    }

    // MARK: Time

    /// `to - from`, saturating (forged times must not trap).
    private static func elapsed(from: Int64, to: Int64) -> Int64 {
        let (d, overflow) = to.subtractingReportingOverflow(from)
        return overflow ? (to > from ? .max : .min) : d
    }

    /// Whether a sighting at `lastSeen` is older than `history` at `t`: at
    /// exactly `lastSeen + history` it still counts.
    @inline(__always)
    private func expired(lastSeen: Int64, at t: Int64) -> Bool {
        Self.elapsed(from: lastSeen, to: t) > spec.historyMs
    }

    /// Drops, oldest first, the groups whose last event has expired (all
    /// their terms have): forgetting them changes no verdict.
    private func forgetExpiredGroups(at t: Int64) {
        while recency.oldest >= 0 && expired(lastSeen: groups[Int(recency.oldest)].lastSeen, at: t) {
            removeGroup(recency.oldest)
        }
    }

    private func forgetExpiredTerms(of g: Int32, at t: Int64) {
        while case let e = groups[Int(g)].terms.oldest, e >= 0, expired(lastSeen: terms[Int(e)].lastSeen, at: t) {
            removeTerm(e)
        }
    }

    // MARK: Keys

    /// Bytes of the first `segments` segments of a `GroupKey` encoding.
    private static func groupLength(_ key: UnsafeRawBufferPointer, segments: Int) -> Int {
        var i = 0
        for _ in 0..<segments {
            guard i + 4 <= key.count else { return key.count }
            let n = Int(key[i]) | Int(key[i + 1]) << 8 | Int(key[i + 2]) << 16 | Int(key[i + 3]) << 24
            i = min(key.count, i + 4 + n)
        }
        return i
    }

    // MARK: Lists

    /// The group's slot, made the most recently seen (created if new).
    private func touchGroup(_ hash: UInt64, _ t: Int64) -> Int32 {
        if let g = groupIndex[hash] {
            groups[Int(g)].lastSeen = max(groups[Int(g)].lastSeen, t)
            recency.touch(g, in: &groups)
            return g
        }
        let record = Group(hash: hash, firstSeen: t, lastSeen: t, terms: RecencyList(), termCount: 0, older: -1, newer: -1)
        let g: Int32
        if let free = freeGroups.popLast() {
            g = free
            groups[Int(g)] = record
        } else {
            g = Int32(groups.count)
            groups.append(record)
        }
        groupIndex[hash] = g
        recency.append(g, to: &groups)
        return g
    }

    private func removeGroup(_ g: Int32) {
        while groups[Int(g)].terms.oldest >= 0 { removeTerm(groups[Int(g)].terms.oldest) }
        recency.remove(g, from: &groups)
        groupIndex[groups[Int(g)].hash] = nil
        freeGroups.append(g)
    }

    private func touchTerm(_ e: Int32, _ t: Int64) {
        terms[Int(e)].lastSeen = max(terms[Int(e)].lastSeen, t)
        let g = terms[Int(e)].group
        groups[Int(g)].terms.touch(e, in: &terms)
    }

    private func addTerm(_ hash: UInt64, group g: Int32, _ t: Int64) {
        let record = Term(hash: hash, lastSeen: t, group: g, older: -1, newer: -1)
        let e: Int32
        if let free = freeTerms.popLast() {
            e = free
            terms[Int(e)] = record
        } else {
            e = Int32(terms.count)
            terms.append(record)
        }
        termIndex[TermKey(group: g, hash: hash)] = e
        groups[Int(g)].terms.append(e, to: &terms)
        groups[Int(g)].termCount += 1
        liveTerms += 1
    }

    private func removeTerm(_ e: Int32) {
        let g = terms[Int(e)].group
        groups[Int(g)].terms.remove(e, from: &terms)
        termIndex[TermKey(group: g, hash: terms[Int(e)].hash)] = nil
        groups[Int(g)].termCount -= 1
        liveTerms -= 1
        freeTerms.append(e)
    }
}

// MARK: Persistence (`LearnedState`)

extension NewTermsHistory {
    /// What was learned, as saved: groups least recently seen first, each
    /// with its terms least recently seen first (the order `restore` rebuilds,
    /// so forgetting after a load is what it would have been without one).
    struct Saved {
        var firstTime: Int64?
        var groups: [(hash: UInt64, firstSeen: Int64, lastSeen: Int64, terms: [(hash: UInt64, lastSeen: Int64)])]
    }

    func saved() -> Saved {
        var out = Saved(firstTime: firstTime, groups: [])
        var g = recency.oldest
        while g >= 0 {
            let r = groups[Int(g)]
            var kept: [(hash: UInt64, lastSeen: Int64)] = []
            var e = r.terms.oldest
            while e >= 0 {
                kept.append((terms[Int(e)].hash, terms[Int(e)].lastSeen))
                e = terms[Int(e)].newer
            }
            out.groups.append((r.hash, r.firstSeen, r.lastSeen, kept))
            g = r.newer
        }
        return out
    }

    /// Replaces what was learned with `saved`.
    func restore(_ saved: Saved) {
        while recency.oldest >= 0 { removeGroup(recency.oldest) }
        firstTime = saved.firstTime
        for group in saved.groups {
            let g = touchGroup(group.hash, group.lastSeen)
            groups[Int(g)].firstSeen = group.firstSeen
            for t in group.terms.suffix(spec.maxTermsPerGroup) { addTerm(t.hash, group: g, t.lastSeen) }
        }
    }
}
