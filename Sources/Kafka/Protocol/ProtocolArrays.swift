/// The array shapes Kafka messages share, written once: an array of
/// structures (each followed by its tagged-field section when flexible), and
/// the `[topic [partition]]` nesting of Produce, Fetch, ListOffsets,
/// OffsetCommit and OffsetFetch requests and responses.
extension WireWriter {
    /// Length, then `element` for each item, each followed by its (empty)
    /// tagged fields unless `tagged` is false (arrays of plain integers).
    public mutating func array<T>(_ items: [T], flexible: Bool, tagged: Bool = true,
                                  _ element: (inout WireWriter, T) -> Void) {
        arrayLength(items.count, flexible: flexible)
        for item in items {
            element(&self, item)
            if tagged { tags(flexible) }
        }
    }

    /// `[name, [partition]]` per topic; `partition` writes one partition's fields.
    public mutating func topicPartitions<P>(_ topics: [(name: String, partitions: [P])], flexible: Bool,
                                            taggedPartitions: Bool = true,
                                            _ partition: (inout WireWriter, P) -> Void) {
        array(topics, flexible: flexible) { w, topic in
            w.string(topic.name, flexible: flexible)
            w.array(topic.partitions, flexible: flexible, tagged: taggedPartitions, partition)
        }
    }

    /// The member identity at the start of Heartbeat, SyncGroup and
    /// OffsetCommit requests.
    mutating func groupGeneration(_ g: GroupGeneration, flexible: Bool) {
        string(g.groupId, flexible: flexible)
        int32(g.generationId)
        string(g.memberId, flexible: flexible)
    }
}

extension WireReader {
    /// Reads an array's length (null reads as empty), then `element` for each
    /// item, each followed by its tagged fields.
    public mutating func array(flexible: Bool, _ element: (inout WireReader) -> Void) {
        for _ in 0..<count(flexible: flexible) {
            element(&self)
            skipTags(flexible)
        }
    }

    /// `[name, [partition]]` per topic; `partition` reads one partition's
    /// fields, given its topic's name.
    public mutating func topicPartitions(flexible: Bool, _ partition: (inout WireReader, _ topic: String) -> Void) {
        array(flexible: flexible) { r in
            let topic = r.string(flexible: flexible)
            r.array(flexible: flexible) { partition(&$0, topic) }
        }
    }
}

/// A group member as Heartbeat, SyncGroup and OffsetCommit name it: the
/// group, the generation it joined, and its member id. A simple (non-member)
/// offset commit is generation -1, member "". Built by those requests' inits.
public struct GroupGeneration: Sendable, Equatable {
    public var groupId: String
    public var generationId: Int32
    public var memberId: String
}
