/// Partition assignment strategies run by the group leader.
public enum GroupAssignor: String, Sendable, CaseIterable {
    /// Java's RangeAssignor: per topic, contiguous ranges; eager rebalancing.
    case range = "range"
    /// Java's CooperativeStickyAssignor: balanced, keeps owned partitions,
    /// and never moves a partition in one step (KIP-429 incremental rebalancing).
    case cooperativeSticky = "cooperative-sticky"

    public var isCooperative: Bool { self == .cooperativeSticky }

    /// member id -> assignment. `partitionCounts` holds every subscribed topic.
    public func assign(members: [String: GroupSubscription], partitionCounts: [String: Int]) -> [String: [TopicPartition]] {
        switch self {
        case .range: return Self.rangeAssign(members, partitionCounts)
        case .cooperativeSticky: return Self.cooperativeStickyAssign(members, partitionCounts)
        }
    }

    static func rangeAssign(_ members: [String: GroupSubscription], _ counts: [String: Int]) -> [String: [TopicPartition]] {
        var out: [String: [TopicPartition]] = [:]
        for id in members.keys { out[id] = [] }
        let topics = Set(members.values.flatMap(\.topics))
        for topic in topics.sorted() {
            guard let n = counts[topic], n > 0 else { continue }
            let subs = members.filter { $0.value.topics.contains(topic) }.keys.sorted()
            let per = n / subs.count, extra = n % subs.count
            var next = 0
            for (i, id) in subs.enumerated() {
                let take = per + (i < extra ? 1 : 0)
                for p in next..<next + take { out[id]!.append(TopicPartition(topic, Int32(p))) }
                next += take
            }
        }
        return out
    }

    static func cooperativeStickyAssign(_ members: [String: GroupSubscription], _ counts: [String: Int]) -> [String: [TopicPartition]] {
        let ids = members.keys.sorted()
        var out: [String: [TopicPartition]] = [:]
        for id in ids { out[id] = [] }
        guard !ids.isEmpty else { return out }
        var all: [TopicPartition] = []
        for topic in Set(members.values.flatMap(\.topics)).sorted() {
            for p in 0..<(counts[topic] ?? 0) { all.append(TopicPartition(topic, Int32(p))) }
        }
        let valid = Set(all)
        // Current owners; a partition claimed by two members (stale) is owned by neither.
        var owner: [TopicPartition: String] = [:]
        var contested = Set<TopicPartition>()
        for id in ids {
            for tp in members[id]!.ownedPartitions where valid.contains(tp) {
                if owner[tp] != nil { contested.insert(tp) } else { owner[tp] = id }
            }
        }
        for tp in contested { owner[tp] = nil }
        let minQuota = all.count / ids.count
        var ceilSlots = all.count % ids.count
        var taken = Set<TopicPartition>()
        // 1. Keep owned partitions up to the quota (one extra while ceiling slots remain).
        for id in ids {
            let subscribed = Set(members[id]!.topics)
            let mine = members[id]!.ownedPartitions.filter { owner[$0] == id && subscribed.contains($0.topic) }.sorted()
            var keep = min(mine.count, minQuota)
            if mine.count > minQuota && ceilSlots > 0 { keep += 1; ceilSlots -= 1 }
            for tp in mine.prefix(keep) { out[id]!.append(tp); taken.insert(tp) }
        }
        // 2. Hand out the rest to the least loaded subscribed member.
        for tp in all where !taken.contains(tp) {
            let candidates = ids.filter { members[$0]!.topics.contains(tp.topic) }
            guard let target = candidates.min(by: { (out[$0]!.count, $0) < (out[$1]!.count, $1) }) else { continue }
            out[target]!.append(tp)
        }
        // 3. Cooperative rule: a partition still owned by another member is not
        //    given away in this round; its owner revokes it and rejoins first.
        for id in ids {
            out[id] = out[id]!.filter { tp in owner[tp] == nil || owner[tp] == id }.sorted()
        }
        return out
    }
}
